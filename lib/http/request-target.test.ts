import { describe, expect, it } from "vitest";
import { requestPathProblem } from "./request-target";

describe("requestPathProblem", () => {
  it.each([
    "/",
    "/servers",
    "/api/users/alice/servers",
    "/build/gl/group%2Fsub%2Frepo/main",
    "/build/git/https%3A%2F%2Fexample.org%2Fr.git/HEAD",
    "/v2/gh/octo/demo/HEAD?labpath=a%ZZ", // only the path is decoded by Next
    "/user/a%40b/files/100%25.txt",
    "/_next/static/chunks/app.js",
  ])("lets %s through", (url) => {
    expect(requestPathProblem(url)).toBeNull();
  });

  it.each([
    ["/api/users/%ZZ/servers", /not properly escaped/],
    ["/spawn/alice/%ZZ", /not properly escaped/],
    ["/build/gh/x/%ZZ/HEAD", /not properly escaped/],
    ["/spawn/alice/%E0%A4%A", /not properly escaped/],
    ["/api/users/%FF/servers", /not properly escaped/],
    ["/api/users/%00/servers", /escaped control character/],
    ["/spawn/%0A/x", /escaped control character/],
    ["/api/users/a\u0000b/servers", /control character/],
  ])("refuses %s", (url, message) => {
    expect(requestPathProblem(url)).toMatch(message);
  });
});
