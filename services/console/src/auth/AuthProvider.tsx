import { Button, Result, Spin } from "antd";
import type { User, UserManager } from "oidc-client-ts";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useI18n } from "../i18n/LanguageProvider";
import { CALLBACK_PATH, realmRoles } from "./oidc";

export interface Session {
  user: User;
  roles: string[];
  username: string;
  /** A current access token (renewed first when it is about to expire). */
  accessToken: () => Promise<string>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

interface RedirectState {
  returnTo?: string;
}

function currentLocation(): string {
  return window.location.pathname + window.location.search + window.location.hash;
}

/** Signs the user in (redirect to Keycloak, code + PKCE), keeps the tokens fresh, and provides the session. */
export function AuthProvider({ manager, children }: { manager: UserManager; children: ReactNode }) {
  const { t } = useI18n();
  const [user, setUser] = useState<User | null>(null);
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  const signIn = useCallback(
    (returnTo: string = currentLocation()) =>
      manager.signinRedirect({ state: { returnTo } satisfies RedirectState }).catch((e: unknown) => setError(String(e))),
    [manager],
  );

  useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice; the code may be exchanged once only
    started.current = true;
    const begin = async () => {
      if (window.location.pathname === CALLBACK_PATH) {
        const signedIn = await manager.signinRedirectCallback();
        const returnTo = (signedIn.state as RedirectState | undefined)?.returnTo ?? "/";
        window.history.replaceState(null, "", returnTo.startsWith("/auth/") ? "/" : returnTo);
        setUser(signedIn);
        return;
      }
      const stored = await manager.getUser();
      if (stored && !stored.expired) {
        setUser(stored);
        return;
      }
      if (stored?.refresh_token) {
        const renewed = await manager.signinSilent().catch(() => null);
        if (renewed) {
          setUser(renewed);
          return;
        }
      }
      await signIn();
    };
    begin().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [manager, signIn]);

  useEffect(() => {
    const loaded = (next: User) => setUser(next);
    const unloaded = () => setUser(null);
    const renewFailed = () => void signIn();
    manager.events.addUserLoaded(loaded);
    manager.events.addUserUnloaded(unloaded);
    manager.events.addSilentRenewError(renewFailed);
    manager.events.addAccessTokenExpired(renewFailed);
    return () => {
      manager.events.removeUserLoaded(loaded);
      manager.events.removeUserUnloaded(unloaded);
      manager.events.removeSilentRenewError(renewFailed);
      manager.events.removeAccessTokenExpired(renewFailed);
    };
  }, [manager, signIn]);

  // Stable across renewals: the API client and the live stream built on it survive a token refresh.
  const accessToken = useCallback(async () => {
    const current = await manager.getUser();
    if (current && (current.expires_in ?? 0) > 10) return current.access_token;
    const renewed = await manager.signinSilent();
    if (!renewed) throw new Error("no session");
    return renewed.access_token;
  }, [manager]);

  const session = useMemo<Session | null>(() => {
    if (!user) return null;
    return {
      user,
      roles: realmRoles(user),
      username: (user.profile.preferred_username as string | undefined) ?? user.profile.sub,
      accessToken,
      logout: () => manager.signoutRedirect({ id_token_hint: user.id_token }),
    };
  }, [accessToken, manager, user]);

  if (error) {
    return (
      <Result
        status="error"
        title={t("auth.failed")}
        subTitle={error}
        extra={
          <Button type="primary" onClick={() => void signIn("/")}>
            {t("auth.retry")}
          </Button>
        }
      />
    );
  }
  if (!session) {
    return (
      <div style={{ display: "grid", placeItems: "center", height: "100vh" }} role="status">
        <Spin size="large" />
        <span>{t("auth.signingIn")}</span>
      </div>
    );
  }
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The signed-in session (inside AuthProvider, or a test's SessionContext). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside AuthProvider");
  return session;
}

export { SessionContext };
