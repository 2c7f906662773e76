import { NextResponse } from "next/server";
import { route } from "@/lib/http/handler";
import { listRepoProviders } from "@/lib/ops/repo-providers";

export const dynamic = "force-dynamic";

export const GET = route(async () => NextResponse.json(listRepoProviders()));
