import { describe, expect, it, vi } from "vitest";
import { createUserManager, DEFAULT_AUTHORITY, loadConfig } from "./oidc";

describe("where the console signs in", () => {
  it("is what the gateway says", async () => {
    const fetch = vi.fn(async () =>
      new Response(JSON.stringify({ oidc_authority: "https://sso.example/realms/neibao", client_id: "neibao-console" })),
    );
    const config = await loadConfig(fetch as unknown as typeof globalThis.fetch);
    expect(fetch).toHaveBeenCalledWith("/console-config.json", { cache: "no-store" });
    expect(config.oidc_authority).toBe("https://sso.example/realms/neibao");
    const manager = createUserManager(config, "https://neibao.example");
    expect(manager.settings.authority).toBe("https://sso.example/realms/neibao");
    expect(manager.settings.redirect_uri).toBe("https://neibao.example/auth/callback");
    expect(manager.settings.response_type).toBe("code");
  });

  it("falls back to the default when the gateway does not say", async () => {
    const fetch = vi.fn(async () => new Response("not found", { status: 404 }));
    expect((await loadConfig(fetch as unknown as typeof globalThis.fetch)).oidc_authority).toBe(DEFAULT_AUTHORITY);
  });
});
