import { CheckCircleTwoTone, CloseCircleTwoTone } from "@ant-design/icons";
import { Space, Table, Tag, Typography } from "antd";
import type { ComplianceRead } from "../api/types";
import { useI18n } from "../i18n/LanguageProvider";
import { formatTime } from "../lib/time";

/** A unit's compliance, requirement by requirement: the rule, whether it is met, and the evidence. */
export function ComplianceTable({ compliance }: { compliance: ComplianceRead }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Space>
        <Typography.Text strong>{t("compliance.overall")}:</Typography.Text>
        {compliance.compliant ? <Tag color="green">{t("compliance.met")}</Tag> : <Tag color="red">{t("compliance.unmet")}</Tag>}
        <Typography.Text type="secondary">
          {compliance.rules_version} · {formatTime(compliance.evaluated_at)}
        </Typography.Text>
      </Space>
      <Table
        rowKey="rule_id"
        size="small"
        pagination={false}
        dataSource={compliance.requirements}
        columns={[
          {
            title: t("compliance.met"),
            dataIndex: "met",
            width: 80,
            render: (met: boolean) =>
              met ? (
                <CheckCircleTwoTone twoToneColor="#52c41a" aria-label={t("compliance.met")} />
              ) : (
                <CloseCircleTwoTone twoToneColor="#ff4d4f" aria-label={t("compliance.unmet")} />
              ),
          },
          {
            title: t("compliance.requirement"),
            key: "requirement",
            render: (_: unknown, r) => (
              <Space orientation="vertical" size={0}>
                <Typography.Text strong>{r.title}</Typography.Text>
                <Typography.Text type="secondary">
                  {r.rule} {r.measures.join(" ")}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t("compliance.evidence"),
            dataIndex: "evidence",
            render: (evidence: string[]) => (
              <ul style={{ margin: 0, paddingLeft: 16 }}>
                {evidence.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            ),
          },
        ]}
      />
    </Space>
  );
}
