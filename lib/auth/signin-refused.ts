/** A refused sign-in; the message is a short code (see signin-messages.ts) for the page. */
export class SigninRefused extends Error {
  constructor(code: string, param?: string | number) {
    super(param === undefined ? code : `${code}:${param}`);
    this.name = "SigninRefused";
  }
}
