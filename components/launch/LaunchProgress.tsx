"use client";

import { useEffect, useId, useRef, useState } from "react";
import { Alert } from "../ui/Alert";
import { RepoName } from "../ui/RepoName";
import { buttonStyles } from "../ui/button-styles";
import { fetchJson, RequestError } from "../ui/fetch-json";
import { Spinner } from "../ui/Spinner";
import { BuildLog } from "./BuildLog";
import { rawSpec } from "./launch-stream";
import { LaunchSteps } from "./LaunchSteps";
import { ServerChoice, type PlanServer } from "./ServerChoice";
import { useLaunch } from "./use-launch";

export interface Plan {
  provider: string;
  spec: string;
  repo: string;
  repoUrl: string;
  ref: string;
  commit: string;
  resolvedRef: string;
  imageName: string;
  built: boolean | null;
  refUrl: string;
  suggestedName: string;
  servers: PlanServer[];
}

type Stage = { kind: "resolving" } | { kind: "plan-error"; message: string; signIn: boolean } | { kind: "choose"; plan: Plan } | { kind: "launch"; plan: Plan; server: string | null };

function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

const signInHref = () => `/signin?callbackUrl=${encodeURIComponent(window.location.pathname + window.location.search)}`;

/** The launch page: resolve the ref, maybe ask which server, then follow the build and launch. */
export function LaunchProgress({ display, formHref, existing, maxLength, atLimit, limitMessage }: {
  display: { repo: string; ref: string };
  formHref: string;
  existing: string[];
  maxLength: number;
  atLimit: boolean;
  limitMessage: string;
}) {
  const id = useId();
  const [stage, setStage] = useState<Stage>({ kind: "resolving" });
  const [now, setNow] = useState(() => Date.now());
  const { state, start } = useLaunch();
  const failureRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    const { provider, spec } = rawSpec();
    fetchJson<Plan>(`/api/launch/plan?provider=${encodeURIComponent(provider)}&spec=${encodeURIComponent(spec)}`, { signal: ctrl.signal })
      .then((plan) => {
        const asked = new URLSearchParams(window.location.search).get("server");
        const same = plan.servers.find((s) => s.sameCommit && s.state === "running") ?? plan.servers.find((s) => s.sameCommit);
        const other = plan.servers.filter((s) => !s.sameCommit);
        if (asked !== null) launch(plan, asked);
        else if (same) launch(plan, same.name);
        else if (other.length) setStage({ kind: "choose", plan });
        else launch(plan, null);
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        const status = err instanceof RequestError ? err.status : 0;
        if (status === 401) setStage({ kind: "plan-error", signIn: true, message: "Your session has ended. Sign in again to launch." });
        else if (status > 0) setStage({ kind: "plan-error", signIn: false, message: (err as RequestError).message });
        else setStage({ kind: "plan-error", signIn: false, message: "Berth could not be reached. Check your connection, then reload the page." });
      });
    return () => ctrl.abort();
    // Once per page: the address does not change while it is open.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  function launch(plan: Plan, server: string | null) {
    setStage({ kind: "launch", plan, server });
    start(server);
  }

  useEffect(() => {
    if (!state.running) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [state.running]);

  useEffect(() => {
    if (state.failure) failureRef.current?.focus();
  }, [state.failure]);

  const plan = stage.kind === "choose" || stage.kind === "launch" ? stage.plan : null;
  const server = stage.kind === "launch" ? (state.ready?.server ?? stage.server) : null;
  const resolved = plan && plan.resolvedRef !== plan.commit ? plan.resolvedRef.replace(/^refs\/(heads|tags)\//, "") : null;

  return (
    <div className="mx-auto w-full max-w-3xl space-y-6">
      <div className="min-w-0">
        <p className="text-xs font-semibold uppercase tracking-wider text-brand-700">Launching</p>
        <h1 className="mt-1 break-words text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl"><RepoName text={plan?.repo ?? display.repo} /></h1>
        <p className="mt-1.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-600">
          <span>
            at <span className="font-mono text-slate-800">{plan?.ref ?? display.ref}</span>
            {resolved && resolved !== plan?.ref ? <span className="text-slate-500"> ({resolved})</span> : null}
          </span>
          {plan ? (
            <>
              <span aria-hidden="true">·</span>
              <span>
                commit{" "}
                <a href={plan.refUrl} className="font-mono text-brand-700 underline decoration-brand-300 underline-offset-2 hover:decoration-brand-600" title={plan.commit}>
                  {plan.commit.slice(0, 7)}
                </a>
              </span>
            </>
          ) : null}
          {server !== null ? (
            <>
              <span aria-hidden="true">·</span>
              <span>
                into <span className="font-medium text-slate-800">{server === "" ? "My Server" : server}</span>
              </span>
            </>
          ) : null}
        </p>
      </div>

      {stage.kind === "resolving" ? (
        <div role="status" className="flex items-center gap-3 rounded-2xl border border-slate-200/80 bg-white px-5 py-4 text-sm text-slate-700 shadow-card">
          <Spinner className="h-5 w-5 text-brand-600" />
          <span>
            Resolving <span className="break-words font-medium text-slate-900"><RepoName text={display.repo} /></span> at <span className="font-mono">{display.ref}</span>…
          </span>
        </div>
      ) : null}

      {stage.kind === "plan-error" ? (
        <div className="space-y-4">
          <Alert tone="error" title="This repository cannot be launched">
            <p className="whitespace-pre-line">{stage.message}</p>
          </Alert>
          <div className="flex flex-wrap gap-2">
            {stage.signIn ? (
              <a href={signInHref()} className={buttonStyles.primary}>
                Sign in again
              </a>
            ) : null}
            <a href={formHref} className={stage.signIn ? buttonStyles.secondary : buttonStyles.primary}>
              Back to the launch form
            </a>
          </div>
        </div>
      ) : null}

      {stage.kind === "choose" ? (
        <ServerChoice
          servers={stage.plan.servers.filter((s) => !s.sameCommit)}
          commit={stage.plan.commit}
          suggestedName={stage.plan.suggestedName}
          existing={existing}
          maxLength={maxLength}
          atLimit={atLimit}
          limitMessage={limitMessage}
          onChoose={(name) => launch(stage.plan, name)}
        />
      ) : null}

      {stage.kind === "launch" ? (
        <>
          <div className="space-y-5 rounded-2xl border border-slate-200/80 bg-white p-4 shadow-card sm:p-6">
            <LaunchSteps phase={state.phase} seen={state.seen} failed={Boolean(state.failure)} />
            <div aria-live="polite" className="space-y-3">
              {state.running || state.ready ? (
                <p role="status" className="flex items-start gap-2.5 rounded-lg bg-sky-50 px-3.5 py-2.5 text-sm text-sky-900">
                  <Spinner className="mt-0.5 h-4 w-4 shrink-0 text-sky-600" />
                  <span className="min-w-0 flex-1 break-words">
                    {state.ready
                      ? `Ready. Opening ${state.ready.server === "" ? "My Server" : (state.ready.server ?? "your server")}…`
                      : state.phase === "building"
                        ? "Building the environment; the log below shows each step."
                        : (state.status ?? "Starting the launch…")}
                  </span>
                  {state.startedAt && !state.ready ? <span className="shrink-0 font-mono text-xs text-sky-700">{elapsed(now - state.startedAt)}</span> : null}
                </p>
              ) : null}
              {state.cacheHit ? <Alert tone="success">{state.cacheHit}</Alert> : null}
              {state.ready ? (
                <p className="text-sm text-slate-600">
                  Not moving?{" "}
                  <a href={state.ready.url} className="font-medium text-brand-700 underline underline-offset-2">
                    Open the server
                  </a>
                </p>
              ) : null}
            </div>
            {state.failure ? (
              <div className="space-y-4 border-t border-slate-100 pt-5">
                <div role="alert" className="flex gap-3 rounded-lg border border-red-200 bg-red-50 px-3.5 py-3 text-sm leading-relaxed text-red-800">
                  <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="mt-0.5 h-4.5 w-4.5 shrink-0 text-red-500">
                    <path fillRule="evenodd" clipRule="evenodd" d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z" />
                  </svg>
                  <div className="min-w-0 flex-1">
                    <h2 ref={failureRef} tabIndex={-1} className="font-semibold text-red-900 outline-none">
                      The launch failed
                    </h2>
                    <p className="mt-0.5 whitespace-pre-line break-words">{state.failure.text}</p>
                  </div>
                </div>
                <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap">
                  {state.failure.signIn ? (
                    <a href={signInHref()} className={buttonStyles.primary}>
                      Sign in again
                    </a>
                  ) : (
                    <button type="button" onClick={() => start(stage.server)} className={buttonStyles.primary}>
                      <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" className="-ml-0.5 h-4 w-4">
                        <path d="M16 10a6 6 0 1 1-1.76-4.24M16 3.5v3h-3" />
                      </svg>
                      Try again
                    </button>
                  )}
                  {state.failure.serversUrl ? (
                    <a href={state.failure.serversUrl} className={buttonStyles.secondary}>
                      Manage your servers
                    </a>
                  ) : null}
                  <a href={formHref} className={buttonStyles.secondary}>
                    Back to the launch form
                  </a>
                </div>
              </div>
            ) : null}
          </div>
          <BuildLog id={`${id}-log`} lines={state.lines} />
        </>
      ) : null}
    </div>
  );
}
