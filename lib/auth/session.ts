import { getServerSession } from "next-auth";
import { authOptions, type SessionUser } from "./options";

export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const u = session?.user;
  return u?.id ? u : null;
}

