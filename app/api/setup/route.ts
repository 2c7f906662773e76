import { NextResponse } from "next/server";
import { setupAdmin, setupInput } from "@/lib/auth/setup-admin";
import { jsonBody, route } from "@/lib/http/handler";

export const POST = route(async (req: Request) => {
  const input = setupInput.parse(await jsonBody(req));
  const user = await setupAdmin(input);
  return NextResponse.json({ name: user.name }, { status: 201 });
});
