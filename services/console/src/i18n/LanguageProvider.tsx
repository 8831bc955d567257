import { ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { enumLabel, MESSAGES, type Language, type MessageKey } from "./messages";

const STORAGE_KEY = "neibao.language";

interface LanguageContextValue {
  language: Language;
  setLanguage: (language: Language) => void;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
  label: (name: string, value: string | null | undefined) => string;
}

const LanguageContext = createContext<LanguageContextValue | null>(null);

function initialLanguage(): Language {
  return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh-CN";
}

/** zh-CN unless the user chose English (remembered in this browser); Ant Design's locale follows. */
export function LanguageProvider({ children, language: fixed }: { children: ReactNode; language?: Language }) {
  const [language, setLanguageState] = useState<Language>(fixed ?? initialLanguage());
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
    dayjs.locale(language === "en" ? "en" : "zh-cn");
  }, [language]);
  const value = useMemo<LanguageContextValue>(
    () => ({
      language,
      setLanguage,
      t: (key, values) => {
        let text: string = MESSAGES[language][key] ?? key;
        for (const [name, replacement] of Object.entries(values ?? {})) {
          text = text.replaceAll(`{${name}}`, String(replacement));
        }
        return text;
      },
      label: (name, value) => enumLabel(language, name, value),
    }),
    [language, setLanguage],
  );
  return (
    <LanguageContext.Provider value={value}>
      <ConfigProvider
        locale={language === "en" ? enUS : zhCN}
        button={{ autoInsertSpace: false }}
        theme={{ token: { colorPrimary: "#1d4ed8", borderRadius: 4 } }}
      >
        {children}
      </ConfigProvider>
    </LanguageContext.Provider>
  );
}

/** The current language, its words and its enumeration labels. */
export function useI18n(): LanguageContextValue {
  const value = useContext(LanguageContext);
  if (!value) throw new Error("useI18n outside LanguageProvider");
  return value;
}
