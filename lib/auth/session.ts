import { getServerSession } from "next-auth";
import { AppError } from "../errors";
import type { Actor } from "../servers/types";
import { authOptions, type SessionUser } from "./options";

export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const u = session?.user as SessionUser | undefined;
  return u?.id ? u : null;
}

export async function requireActor(): Promise<Actor> {
  const u = await currentUser();
  if (!u) throw new AppError("unauthenticated", 401, "Sign in to continue.");
  return { id: u.id, name: u.name, isAdmin: u.isAdmin };
}
