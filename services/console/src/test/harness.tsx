import { App as AntApp } from "antd";
import type { User } from "oidc-client-ts";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import { ApiContext, createApi } from "../api/client";
import { SessionContext, type Session } from "../auth/AuthProvider";
import { LanguageProvider } from "../i18n/LanguageProvider";

export const ORIGIN = "http://localhost:3000";

export interface Call {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

type Answer = Response | ((call: Call) => Response | Promise<Response>);

/** A fake gateway: answers by "METHOD /path", records every call. */
export function fakeGateway(routes: Record<string, Answer>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), ORIGIN), init);
    const call: Call = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: request.body ? await request.text() : "",
    };
    calls.push(call);
    const answer = routes[`${call.method} ${call.url.pathname}`];
    if (!answer) return json({ status: 404, title: "Not Found" }, 404);
    return typeof answer === "function" ? answer(call) : answer.clone();
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" },
  });
}

export function session(roles: string[] = ["police"]): Session {
  return {
    user: {} as User,
    roles,
    username: "police-heping",
    accessToken: () => Promise.resolve("token-1"),
    logout: () => Promise.resolve(),
  };
}

/** Renders `element` at `path` as a signed-in user, over the fake gateway's fetch. */
export function Harness({
  children,
  fetch,
  path = "/",
  route = "*",
  roles,
}: {
  children: ReactNode;
  fetch: typeof globalThis.fetch;
  path?: string;
  route?: string;
  roles?: string[];
}) {
  const current = session(roles);
  const api = createApi(current.accessToken, ORIGIN, fetch);
  return (
    <LanguageProvider language="zh-CN">
      <AntApp>
        <SessionContext.Provider value={current}>
          <ApiContext.Provider value={api}>
            <MemoryRouter initialEntries={[path]}>
              <Routes>
                <Route path={route} element={children} />
              </Routes>
            </MemoryRouter>
          </ApiContext.Provider>
        </SessionContext.Provider>
      </AntApp>
    </LanguageProvider>
  );
}
