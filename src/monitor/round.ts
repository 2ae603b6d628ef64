// Rounding for published figures: percents carry one decimal (as vminfo), rates two.

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
