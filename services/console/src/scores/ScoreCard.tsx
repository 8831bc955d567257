import { Alert, Card, Col, Descriptions, Empty, Progress, Row, Space, Statistic, Table, Tag, Timeline, Typography } from "antd";
import { useMemo } from "react";
import { useApi } from "../api/client";
import { useSession } from "../auth/AuthProvider";
import { EChart } from "../charts/EChart";
import { Loading } from "../dossier/ItemTable";
import { useI18n } from "../i18n/LanguageProvider";
import type { MessageKey } from "../i18n/messages";
import { can } from "../lib/roles";
import { formatTime } from "../lib/time";
import { useLoad } from "../lib/useLoad";
import { EvidenceItems, EvidenceSummary, IndicatorFacts } from "./Evidence";
import { GradeTag, useGradeLabel } from "./GradeTag";
import { families, historyOption, type IndicatorScoreRead, type ScoreHistoryRead, type ScoreRead } from "./model";
import { SelfAssessmentForm } from "./SelfAssessmentForm";

function Headline({ score }: { score: ScoreRead }) {
  const { t } = useI18n();
  return (
    <Card size="small">
      <Row gutter={[24, 16]} align="middle">
        <Col xs={12} md={4}>
          <Statistic title={t("scores.total")} value={score.total} suffix="/ 100" precision={2} />
        </Col>
        <Col xs={12} md={4}>
          <Space orientation="vertical" size={4}>
            <Typography.Text type="secondary">{t("scores.gradeLabel")}</Typography.Text>
            <span data-testid="score-grade" style={{ fontSize: 20 }}>
              <GradeTag grade={score.grade} />
            </span>
          </Space>
        </Col>
        <Col xs={24} md={16}>
          <Descriptions size="small" column={{ xs: 1, md: 2 }}>
            <Descriptions.Item label={t("scores.gradeReason")}>{score.grade_reason ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("scores.band")}>
              <GradeTag grade={score.band} />
            </Descriptions.Item>
            <Descriptions.Item label={t("scores.period")}>{score.period ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("scores.asOf")}>{score.as_of ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("scores.modelVersion")}>{score.model_version ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("scores.computedAt")}>{formatTime(score.computed_at)}</Descriptions.Item>
          </Descriptions>
        </Col>
      </Row>
    </Card>
  );
}

function Vetoes({ score }: { score: ScoreRead }) {
  const { t } = useI18n();
  if (score.vetoes.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={t("scores.vetoes", { n: score.vetoes.length })}
      description={
        <Space orientation="vertical" style={{ width: "100%" }}>
          {score.vetoes.map((veto) => (
            <div key={veto.veto ?? veto.name ?? ""}>
              <Typography.Text strong>{veto.name ?? veto.veto}</Typography.Text>
              <EvidenceItems uscc={score.uscc ?? ""} evidence={veto.evidence} />
            </div>
          ))}
        </Space>
      }
    />
  );
}

function Indicators({ score }: { score: ScoreRead }) {
  const { t } = useI18n();
  const uscc = score.uscc ?? "";
  const familyLabel = (family: string) => {
    const key = `scores.family.${family}` as MessageKey;
    const text = t(key);
    return text === key ? family : text;
  };
  const formulaLabel = (formula: string | null) => {
    if (!formula) return "—";
    const key = `scores.formula.${formula}` as MessageKey;
    const text = t(key);
    return text === key ? formula : text;
  };
  return (
    <>
      {families(score.indicators).map((family) => (
        <Card
          key={family.family}
          size="small"
          title={familyLabel(family.family)}
          extra={
            <span>
              {t("scores.familyPoints", { points: family.points, weight: family.weight })}
            </span>
          }
        >
          <Table<IndicatorScoreRead>
            rowKey={(row) => row.indicator ?? ""}
            size="small"
            pagination={false}
            dataSource={family.indicators}
            expandable={{
              expandedRowRender: (row) => <IndicatorFacts uscc={uscc} indicator={row} />,
              expandRowByClick: false,
            }}
            columns={[
              { title: t("scores.indicator"), dataIndex: "name", width: 240 },
              {
                title: t("scores.pointsOfWeight"),
                key: "points",
                width: 200,
                render: (_: unknown, row) => (
                  <Space orientation="vertical" size={0} style={{ width: "100%" }}>
                    <span>
                      {row.points} / {row.weight}
                    </span>
                    <Progress
                      percent={row.weight ? Math.round((row.points / row.weight) * 100) : 0}
                      size="small"
                      showInfo={false}
                      status={row.points < row.weight ? "exception" : "success"}
                    />
                  </Space>
                ),
              },
              { title: t("scores.formula"), dataIndex: "formula", width: 110, render: (v: string | null) => <Tag>{formulaLabel(v)}</Tag> },
              { title: t("scores.explanation"), dataIndex: "explanation" },
              { title: t("scores.evidence"), key: "evidence", render: (_: unknown, row) => <EvidenceSummary uscc={uscc} indicator={row} /> },
            ]}
          />
        </Card>
      ))}
    </>
  );
}

function History({ history }: { history: ScoreHistoryRead }) {
  const { t } = useI18n();
  const gradeLabel = useGradeLabel();
  const option = useMemo(() => historyOption(history.periods, gradeLabel, t("scores.total")), [history.periods, gradeLabel, t]);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={14}>
        <Card size="small" title={t("scores.trend")}>
          {history.periods.length ? <EChart option={option} label={t("scores.trend")} height={260} /> : <Empty />}
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Card size="small" title={t("scores.gradeChanges")}>
          {history.grade_changes.length ? (
            <Timeline
              items={history.grade_changes.slice(0, 20).map((change) => ({
                color: change.to_grade === "rectification" ? "red" : change.to_grade === "exemplary" ? "green" : "blue",
                content: (
                  <div>
                    <Space size={4} wrap>
                      <Typography.Text type="secondary">{formatTime(change.changed_at)}</Typography.Text>
                      <span>{change.period}</span>
                      {change.from_grade ? <GradeTag grade={change.from_grade} /> : <Tag>{t("scores.firstGrade")}</Tag>}
                      <span>→</span>
                      <GradeTag grade={change.to_grade} />
                    </Space>
                    <div>{change.reason}</div>
                  </div>
                ),
              }))}
            />
          ) : (
            <Empty />
          )}
        </Card>
      </Col>
    </Row>
  );
}

/** 平安单位评分: a unit's score card — total and grade, vetoes, every indicator with its evidence, history. */
export function ScoreCard({ uscc }: { uscc: string }) {
  const { t } = useI18n();
  const api = useApi();
  const { roles } = useSession();
  const score = useLoad(() => api.GET("/api/v1/scores/{uscc}", { params: { path: { uscc } } }), [api, uscc]);
  const history = useLoad(
    () => api.GET("/api/v1/scores/{uscc}/history", { params: { path: { uscc }, query: { limit: 24 } } }),
    [api, uscc],
  );
  if (score.status === 404) return <Empty description={t("scores.notScored")} />;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Loading loaded={score}>
        {(s) => (
          <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
            <Headline score={s} />
            <Vetoes score={s} />
            <Indicators score={s} />
            {can(roles, "selfAssess") && <SelfAssessmentForm uscc={uscc} indicators={s.indicators} />}
          </Space>
        )}
      </Loading>
      <Loading loaded={history}>{(h) => <History history={h} />}</Loading>
    </Space>
  );
}
