/** How dates and numbers read in Vietnamese: dd/mm/yyyy, 1.234.567. */

import dayjs from 'dayjs';

export const DATE_FORMAT = 'DD/MM/YYYY';
export const API_DATE = 'YYYY-MM-DD';

// Made when a number is first shown, not when the module loads: building a locale's formatter is ~15 ms of a phone's
// CPU (its ICU data), which the members list's first view (no numbers) would otherwise wait for.
let numberFormat: Intl.NumberFormat | undefined;

export function formatDate(value: string | null | undefined): string {
  return value ? dayjs(value).format(DATE_FORMAT) : '';
}

export function formatDateTime(value: string | null | undefined): string {
  return value ? dayjs(value).format('DD/MM/YYYY HH:mm') : '';
}

/** To the second (the audit trail). */
export function formatDateTimeSeconds(value: string | null | undefined): string {
  return value ? dayjs(value).format('DD/MM/YYYY HH:mm:ss') : '';
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  numberFormat ??= new Intl.NumberFormat('vi-VN');
  return numberFormat.format(value);
}

/** A duration in seconds as an officer would say it: "khoảng 2 phút 10 giây". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} giây`;
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  if (minutes < 60) return rest ? `${minutes} phút ${rest} giây` : `${minutes} phút`;
  const hours = Math.floor(minutes / 60);
  return `${hours} giờ ${minutes % 60} phút`;
}

/** A dayjs value (from a DatePicker) as the API's date. */
export function toApiDate(value: dayjs.Dayjs | null | undefined): string | undefined {
  return value ? value.format(API_DATE) : undefined;
}

export function today(): string {
  return dayjs().format(API_DATE);
}
