import { serverDelete } from "@/lib/http/server-actions";

export const DELETE = serverDelete;
