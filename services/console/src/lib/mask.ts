/** A resident ID shown with only its region (first 4) and last 4 characters: 2101**********4455. */
export function maskResidentId(value: string | null | undefined): string {
  if (!value) return "—";
  if (value.includes("*")) return value; // already masked by the service
  if (value.length <= 8) return "*".repeat(value.length);
  return value.slice(0, 4) + "*".repeat(value.length - 8) + value.slice(-4);
}

/** A phone number with its middle hidden: 138****5678. */
export function maskPhone(value: string | null | undefined): string {
  if (!value) return "—";
  if (value.includes("*")) return value;
  if (value.length < 7) return "*".repeat(value.length);
  return value.slice(0, 3) + "*".repeat(value.length - 7) + value.slice(-4);
}
