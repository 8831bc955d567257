import { Tag } from "antd";
import { useCallback } from "react";
import { useI18n } from "../i18n/LanguageProvider";
import type { MessageKey } from "../i18n/messages";
import { GRADE_COLOR, type Grade } from "./model";

/** The words of a grade (示范 / 达标 / 整改), "—" without one. */
export function useGradeLabel(): (grade: string | null | undefined) => string {
  const { t } = useI18n();
  return useCallback((grade) => (grade ? t(`scores.grade.${grade}` as MessageKey) : "—"), [t]);
}

/** A grade as a coloured tag. */
export function GradeTag({ grade }: { grade: Grade | null | undefined }) {
  const gradeLabel = useGradeLabel();
  if (!grade) return <>—</>;
  return <Tag color={GRADE_COLOR[grade]}>{gradeLabel(grade)}</Tag>;
}
