import { Space, Tag, Typography } from "antd";
import { Link } from "react-router";
import { useI18n } from "../i18n/LanguageProvider";
import type { MessageKey } from "../i18n/messages";
import { evidenceLink, evidenceTab, type IndicatorScoreRead, type ScoreEvidenceRead } from "./model";

const TAB_LABEL: Record<string, MessageKey> = {
  filing: "dossier.tabs.filing",
  plans: "dossier.tabs.plans",
  staff: "dossier.tabs.staff",
  inspections: "dossier.tabs.inspections",
  devices: "dossier.tabs.devices",
};

/** The words of an evidence kind (隐患, 演练...). */
export function useKindLabel(): (kind: string | null | undefined) => string {
  const { t } = useI18n();
  return (kind) => {
    if (!kind) return "—";
    const key = `scores.kind.${kind}` as MessageKey;
    const text = t(key);
    return text === key ? kind : text;
  };
}

/** A link to where evidence of `kind` lives: the dossier tab (检查与隐患...) or the alarm desk. */
export function EvidenceLink({ uscc, kind }: { uscc: string; kind: string | null | undefined }) {
  const { t } = useI18n();
  const to = evidenceLink(uscc, kind);
  if (!to) return null;
  const tab = evidenceTab(kind);
  return <Link to={to}>{tab ? t(TAB_LABEL[tab] ?? "dossier.tabs.basics") : t("nav.alarms")}</Link>;
}

/** The kinds of evidence an indicator used, counted, each linked to where it lives. */
export function EvidenceSummary({ uscc, indicator }: { uscc: string; indicator: IndicatorScoreRead }) {
  const { t } = useI18n();
  const kindLabel = useKindLabel();
  const counts = new Map<string, number>();
  for (const fact of indicator.facts) {
    for (const item of fact.evidence) counts.set(item.kind ?? "", (counts.get(item.kind ?? "") ?? 0) + 1);
  }
  if (counts.size === 0) return <Typography.Text type="secondary">{t("scores.noEvidence")}</Typography.Text>;
  return (
    <Space orientation="vertical" size={2}>
      {[...counts.entries()].map(([kind, count]) => (
        <Space key={kind} size={4} wrap>
          <Tag>
            {kindLabel(kind)} × {count}
          </Tag>
          <EvidenceLink uscc={uscc} kind={kind} />
        </Space>
      ))}
    </Space>
  );
}

/** Every item a list of evidence names: its kind (linked), why it counted, its id. */
export function EvidenceItems({ uscc, evidence }: { uscc: string; evidence: readonly ScoreEvidenceRead[] }) {
  const kindLabel = useKindLabel();
  return (
    <ul className="score-evidence">
      {evidence.map((item, index) => (
        <li key={`${item.item_id ?? ""}-${index}`}>
          <Space size={6} wrap>
            <Tag>{kindLabel(item.kind)}</Tag>
            <span>{item.note ?? ""}</span>
            {item.item_id && <Typography.Text type="secondary" code>{item.item_id.slice(0, 8)}</Typography.Text>}
            <EvidenceLink uscc={uscc} kind={item.kind} />
          </Space>
        </li>
      ))}
    </ul>
  );
}

/** The facts an indicator read (value, known or not) and the items behind each. */
export function IndicatorFacts({ uscc, indicator }: { uscc: string; indicator: IndicatorScoreRead }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }}>
      {indicator.facts.map((fact, index) => (
        <div key={`${fact.name ?? ""}-${index}`}>
          <Space size={6}>
            <Typography.Text code>{fact.name}</Typography.Text>
            <span>= {fact.value}</span>
            {!fact.known && <Tag color="orange">{t("scores.unknownFact")}</Tag>}
          </Space>
          {fact.evidence.length > 0 ? (
            <EvidenceItems uscc={uscc} evidence={fact.evidence} />
          ) : (
            <div>
              <Typography.Text type="secondary">{t("scores.noEvidence")}</Typography.Text>
            </div>
          )}
        </div>
      ))}
    </Space>
  );
}
