import { App, Button, Popconfirm } from "antd";
import { useState, type ReactNode } from "react";
import { problemText } from "../api/client";
import { useI18n } from "../i18n/LanguageProvider";

/** A button that makes one call (after a confirmation when `confirm` is given) and says how it went. */
export function ActionButton({
  children,
  call,
  onDone,
  confirm,
  danger,
  primary,
  onError,
}: {
  children: ReactNode;
  call: () => Promise<{ error?: unknown }>;
  onDone: () => void;
  confirm?: string;
  danger?: boolean;
  primary?: boolean;
  /** Takes a refusal instead of the usual message (true: handled). */
  onError?: (error: unknown) => boolean;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const { error } = await call();
      if (error !== undefined) {
        if (onError?.(error)) return;
        void message.error(problemText(error) || t("common.error"));
        return;
      }
      void message.success(t("filing.done"));
      onDone();
    } catch (e) {
      void message.error(String(e));
    } finally {
      setBusy(false);
    }
  };
  const button = (
    <Button size="small" danger={danger} type={primary ? "primary" : "default"} loading={busy} onClick={confirm ? undefined : () => void run()}>
      {children}
    </Button>
  );
  if (!confirm) return button;
  return (
    <Popconfirm title={confirm} okText={t("form.confirm")} cancelText={t("form.cancel")} onConfirm={() => run()}>
      {button}
    </Popconfirm>
  );
}
