import { serverAction } from "@/lib/http/server-actions";

export const POST = serverAction;
