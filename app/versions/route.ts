import { NextResponse } from "next/server";
import { route } from "@/lib/http/handler";
import { versions } from "@/lib/ops/versions";

export const dynamic = "force-dynamic";

export const GET = route(async () => NextResponse.json(versions()));
