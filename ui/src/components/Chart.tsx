// One chart component for every chart of the app, drawn as plain SVG: bars (side by side, stacked or
// floating, for a waterfall), lines, or both, over categories (reasons, months, weeks), and horizontal
// bars for rankings. Each chart sits in a titled section with its legend, a "Download CSV" link and an
// honest empty state. Screen readers (and tests) read the values from a visually hidden table; the
// picture itself is one role="img" with a summary, and each mark carries a <title> as its tooltip.
import { Box, Button, Group, Paper, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useId, useState, type CSSProperties, type ReactNode } from 'react';

export interface ChartSeries {
  key: string;
  label: string;
  /** One value per category (same order); null where there is none (no bar, a gap in a line). */
  values: readonly (number | null)[];
  /** A Mantine colour: "blue" or "red.7"; by default the next one of the palette. */
  color?: string;
  /** Draw this series as bars or as a line, whatever the chart's kind (opened/closed bars with an "open" line). */
  type?: 'bar' | 'line';
  /** Bars start here instead of at zero (a waterfall's floating steps). */
  base?: readonly (number | null)[];
}

/** Where a value is: for formatters that depend on the category (an amount in that row's currency). */
export interface ValueAt {
  series: ChartSeries;
  category: string;
  index: number;
}

export interface ChartProps {
  title: string;
  /** One line under the title: what is counted. */
  description?: ReactNode;
  /** bar and line: categories along the bottom; hbar: one row per category (rankings). */
  kind: 'bar' | 'line' | 'hbar';
  /** Bars of several series stacked instead of side by side. */
  stacked?: boolean;
  categories: readonly string[];
  /** A category as people read it (an axis label, a row label, the table). */
  categoryLabel?: (category: string) => string;
  series: readonly ChartSeries[];
  /** A value as people read it (labels, tooltips, the table). */
  format?: (value: number, at: ValueAt) => string;
  /** An axis tick; `format` without a category by default. */
  tickFormat?: (value: number) => string;
  /** The value axis's range; by default from zero (or the least value) to a round number above the greatest. */
  domain?: readonly [number, number];
  /** The values are counts: axis ticks at whole numbers only. */
  counts?: boolean;
  /** hbar: each row on its own scale (amounts in different currencies); no shared axis is drawn. */
  scalePerCategory?: boolean;
  /** Names the value axis ("hours") and the category axis ("week"), also in the table's header. */
  valueAxisLabel?: string;
  categoryAxisLabel?: string;
  /** The chart's data as CSV: shown as "Download CSV". */
  csvHref?: string;
  /** The text when there is nothing to draw (no category, or no value at all). */
  empty?: ReactNode;
  /** The drawing's height (bar and line); hbar grows with its rows. */
  height?: number;
}

const PALETTE = ['blue', 'teal', 'orange', 'grape', 'red', 'cyan', 'lime', 'pink'];
const CHAR = 6.6; // average width of a character of the 12 px labels
const FALLBACK_WIDTH = 640; // before the first measurement (and in tests); scaled down to the card until then

/** A Mantine colour name as a CSS colour that follows the colour scheme. */
function cssColor(name: string): string {
  const [hue, shade] = name.split('.');
  return `var(--mantine-color-${hue}-${shade ?? '6'})`;
}

const defaultFormat = (v: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(v);

/** Round ticks from lo to hi (inclusive), about `count` of them, and the range they cover. */
export function niceTicks(lo: number, hi: number, count = 5, whole = false): { ticks: number[]; min: number; max: number } {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const nice = ([1, 2, 2.5, 5, 10].filter((m) => !whole || Number.isInteger(m * mag)).find((m) => m * mag >= raw) ?? 10) * mag;
  const step = whole ? Math.max(1, nice) : nice;
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let t = min; t <= max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { ticks, min, max };
}

/** Cuts a label to about `width` px, with an ellipsis. */
function fit(label: string, width: number): string {
  const n = Math.max(3, Math.floor(width / CHAR));
  return label.length > n ? `${label.slice(0, n - 1)}…` : label;
}

interface Drawn {
  series: ChartSeries;
  color: string;
  type: 'bar' | 'line';
  /** A line after the first is dashed (p90 beside the median), so lines that meet stay apart. */
  dashed: boolean;
}

function Legend({ drawn }: { drawn: Drawn[] }) {
  return (
    <Group gap="md" component="ul" aria-hidden data-legend style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {drawn.map((d) => (
        <Group key={d.series.key} gap={6} component="li" wrap="nowrap">
          <svg width={16} height={10} aria-hidden focusable="false">
            {d.type === 'line' ? (
              <line x1={0} x2={16} y1={5} y2={5} stroke={d.color} strokeWidth={2.5} strokeDasharray={d.dashed ? '5 3' : undefined} />
            ) : (
              <rect width={16} height={10} rx={2} fill={d.color} />
            )}
          </svg>
          <Text size="xs">{d.series.label}</Text>
        </Group>
      ))}
    </Group>
  );
}

const axisText = { fontSize: 12, fill: 'var(--mantine-color-dimmed)' } as const;
const gridLine = { stroke: 'var(--mantine-color-default-border)', strokeWidth: 1 } as const;

interface Geometry {
  width: number;
  props: ChartProps;
  drawn: Drawn[];
  fmt: (v: number, at: ValueAt) => string;
  label: (c: string) => string;
  onHover: (index: number | null) => void;
}

/** The value axis's range from the data (bars from zero; stacks summed; floating bars from their base). */
function valueRange(props: ChartProps, drawn: Drawn[]): [number, number] {
  if (props.domain) return [props.domain[0], props.domain[1]];
  let lo = 0;
  let hi = 0;
  props.categories.forEach((_, i) => {
    let pos = 0;
    let neg = 0;
    for (const d of drawn) {
      const v = d.series.values[i];
      if (v == null) continue;
      const base = d.series.base?.[i] ?? 0;
      if (props.stacked && d.type === 'bar') {
        if (v >= 0) pos += v;
        else neg += v;
      } else {
        hi = Math.max(hi, base + v, base);
        lo = Math.min(lo, base + v, base);
      }
    }
    hi = Math.max(hi, pos);
    lo = Math.min(lo, neg);
  });
  return [lo, hi];
}

/** Bars and lines over categories along the bottom. */
function ColumnPlot({ width, props, drawn, fmt, label, onHover }: Geometry) {
  const height = props.height ?? 240;
  const cats = props.categories;
  const [lo, hi] = valueRange(props, drawn);
  const top = 10;
  const bottom = 24 + (props.categoryAxisLabel ? 18 : 0);
  const { ticks, min, max } = fittingTicks(lo, hi, height - top - bottom, 40, props.domain, props.counts);
  const tick = props.tickFormat ?? ((v: number) => fmt(v, { series: drawn[0]!.series, category: '', index: -1 }));
  const left = Math.min(width * 0.3, Math.max(...ticks.map((t) => tick(t).length)) * CHAR + 10) + (props.valueAxisLabel ? 16 : 0);
  const right = 10;
  const plotW = Math.max(10, width - left - right);
  const plotH = height - top - bottom;
  const y = (v: number) => top + plotH - ((v - min) / (max - min || 1)) * plotH;
  const band = plotW / cats.length;
  const x0 = (i: number) => left + i * band;
  const bars = drawn.filter((d) => d.type === 'bar');
  const lines = drawn.filter((d) => d.type === 'line');
  const groupW = band * (cats.length > 20 ? 0.8 : 0.66);
  const barW = props.stacked ? groupW : groupW / Math.max(1, bars.length);
  // Only as many category labels as fit side by side.
  const widest = Math.max(...cats.map((c) => label(c).length)) * CHAR + 8;
  const every = Math.max(1, Math.ceil(widest / band));
  const mark = (d: Drawn, i: number, v: number) => `${d.series.label}, ${label(cats[i]!)}: ${fmt(v, { series: d.series, category: cats[i]!, index: i })}`;

  return (
    <>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={left} x2={left + plotW} y1={y(t)} y2={y(t)} {...gridLine} strokeOpacity={t === 0 ? 1 : 0.6} />
          <text x={left - 6} y={y(t)} dy="0.32em" textAnchor="end" {...axisText}>
            {tick(t)}
          </text>
        </g>
      ))}
      {props.valueAxisLabel && (
        <text transform={`translate(12 ${top + plotH / 2}) rotate(-90)`} textAnchor="middle" {...axisText}>
          {props.valueAxisLabel}
        </text>
      )}
      {cats.map((c, i) =>
        i % every === 0 ? (
          <text key={c} x={x0(i) + band / 2} y={top + plotH + 16} textAnchor="middle" {...axisText}>
            {label(c)}
          </text>
        ) : null,
      )}
      {props.categoryAxisLabel && (
        <text x={left + plotW / 2} y={height - 4} textAnchor="middle" {...axisText}>
          {props.categoryAxisLabel}
        </text>
      )}
      {cats.map((c, i) => {
        let pos = 0;
        let neg = 0;
        return (
          <g key={c} data-category={c}>
            {bars.map((d, k) => {
              const v = d.series.values[i];
              if (v == null) return null;
              let from = d.series.base?.[i] ?? 0;
              if (props.stacked) {
                from = v >= 0 ? pos : neg;
                if (v >= 0) pos += v;
                else neg += v;
              }
              const a = y(from);
              const b = y(from + v);
              const x = x0(i) + (band - groupW) / 2 + (props.stacked ? 0 : k * barW);
              return (
                <rect key={d.series.key} x={x} width={Math.max(1, barW - (bars.length > 1 && !props.stacked ? 1 : 0))} y={Math.min(a, b)} height={Math.max(v === 0 ? 0 : 1, Math.abs(a - b))} fill={d.color} rx={barW > 8 ? 2 : 0} data-series={d.series.key}>
                  <title>{mark(d, i, v)}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
      {[...lines].reverse().map((d) => {
        // drawn last to first: the first line on top
        const pts = cats.map((_, i) => d.series.values[i]);
        let path = '';
        pts.forEach((v, i) => {
          if (v == null) return;
          path += `${i > 0 && pts[i - 1] != null ? 'L' : 'M'}${x0(i) + band / 2},${y(v)}`;
        });
        return (
          <g key={d.series.key} data-series={d.series.key}>
            <path d={path} fill="none" stroke={d.color} strokeWidth={2.5} strokeLinejoin="round" strokeDasharray={d.dashed ? '6 4' : undefined} />
            {pts.map((v, i) =>
              v == null ? null : (
                <circle key={cats[i]} cx={x0(i) + band / 2} cy={y(v)} r={band < 14 ? 0 : 3.5} fill="var(--mantine-color-body)" stroke={d.color} strokeWidth={2}>
                  <title>{mark(d, i, v)}</title>
                </circle>
              ),
            )}
          </g>
        );
      })}
      {cats.map((c, i) => (
        <rect key={c} x={x0(i)} y={top} width={band} height={plotH} fill="transparent" onMouseEnter={() => onHover(i)} onMouseLeave={() => onHover(null)} />
      ))}
    </>
  );
}

/** Below this width a ranking writes each row's label above its bars, so long labels stay whole. */
const NARROW = 480;

/** Where a ranking's rows go at `width`: row height, label column (none when labels sit above the bars), total height. */
function rowLayout(width: number, props: ChartProps, drawn: Drawn[], label: (c: string) => string) {
  const above = width < NARROW;
  const barsH = drawn.length * 16 + 12;
  const rowH = Math.max(30, barsH) + (above ? 16 : 0);
  const labelW = above ? 0 : Math.min(width * 0.38, Math.max(...props.categories.map((c) => label(c).length)) * CHAR + 8);
  const perRow = props.scalePerCategory === true;
  const top = 4;
  const axisH = perRow ? 0 : 22;
  const height = top + props.categories.length * rowH + axisH + (props.valueAxisLabel && !perRow ? 16 : 0);
  return { above, rowH, labelTop: above ? 16 : 0, labelW, left: above ? 0 : labelW + 4, top, perRow, height };
}

/** As many round ticks as fit in `length` px (about one per `gap` px, two to five). */
function fittingTicks(lo: number, hi: number, length: number, gap: number, domain?: readonly [number, number], whole = false) {
  const count = Math.max(2, Math.min(5, Math.floor(length / gap) + 1));
  const t = niceTicks(lo, hi, count, whole);
  return domain ? { ticks: t.ticks.filter((v) => v >= lo && v <= hi), min: lo, max: hi } : t;
}

/** One row per category, bars to the right, each with its value written after it. */
function RowPlot({ width, props, drawn, fmt, label, onHover }: Geometry) {
  const cats = props.categories;
  const { above, rowH, labelTop, labelW, left, top, perRow, height } = rowLayout(width, props, drawn, label);
  const [lo, hi] = valueRange(props, drawn);
  const tick = props.tickFormat ?? ((v: number) => fmt(v, { series: drawn[0]!.series, category: '', index: -1 }));
  const valueText = (d: Drawn, i: number) => {
    const v = d.series.values[i];
    return v == null ? '—' : fmt(v, { series: d.series, category: cats[i]!, index: i });
  };
  const widestValue = Math.max(...cats.flatMap((_, i) => drawn.map((d) => valueText(d, i).length))) * CHAR + 8;
  const right = Math.min(width * 0.45, widestValue);
  const plotW = Math.max(10, width - left - right);
  const shared = fittingTicks(lo, hi, plotW, 56, props.domain, props.counts);
  const barH = Math.min(18, (rowH - labelTop - 10) / drawn.length);

  return (
    <>
      {!perRow &&
        shared.ticks.map((t) => {
          const x = left + ((t - shared.min) / (shared.max - shared.min || 1)) * plotW;
          return (
            <g key={t}>
              <line x1={x} x2={x} y1={top} y2={top + cats.length * rowH} {...gridLine} strokeOpacity={t === 0 ? 1 : 0.6} />
              <text x={x} y={top + cats.length * rowH + 15} textAnchor="middle" {...axisText}>
                {tick(t)}
              </text>
            </g>
          );
        })}
      {props.valueAxisLabel && !perRow && (
        <text x={left + plotW / 2} y={height - 2} textAnchor="middle" {...axisText}>
          {props.valueAxisLabel}
        </text>
      )}
      {cats.map((c, i) => {
        const rowTop = top + i * rowH;
        const rowMax = perRow ? Math.max(0, ...drawn.map((d) => d.series.values[i] ?? 0)) : 0;
        const scale = (v: number) => (perRow ? (v / (rowMax || 1)) * plotW : ((v - shared.min) / (shared.max - shared.min || 1)) * plotW);
        const zero = left + scale(perRow ? 0 : Math.max(shared.min, 0));
        return (
          <g key={c} data-category={c} onMouseEnter={() => onHover(i)} onMouseLeave={() => onHover(null)}>
            <rect x={0} y={rowTop} width={width} height={rowH} fill="transparent" />
            {above ? (
              <text x={0} y={rowTop + 12} fontSize={12} fill="var(--mantine-color-text)">
                {fit(label(c), width)}
              </text>
            ) : (
              <text x={labelW} y={rowTop + rowH / 2} dy="0.32em" textAnchor="end" fontSize={12} fill="var(--mantine-color-text)">
                {fit(label(c), labelW)}
              </text>
            )}
            {drawn.map((d, k) => {
              const v = d.series.values[i];
              const yBar = rowTop + labelTop + (rowH - labelTop - barH * drawn.length) / 2 + k * barH;
              const end = v == null ? zero : left + scale(v);
              return (
                <g key={d.series.key} data-series={d.series.key}>
                  {v != null && (
                    <rect x={Math.min(zero, end)} y={yBar + 1} width={Math.max(v === 0 ? 0 : 2, Math.abs(end - zero))} height={barH - 2} rx={2} fill={d.color}>
                      <title>{`${d.series.label}, ${label(c)}: ${valueText(d, i)}`}</title>
                    </rect>
                  )}
                  <text x={Math.max(zero, end) + 6} y={yBar + barH / 2} dy="0.32em" fontSize={11} fill="var(--mantine-color-dimmed)">
                    {valueText(d, i)}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
    </>
  );
}

function hasValues(props: ChartProps): boolean {
  return props.categories.length > 0 && props.series.some((s) => s.values.some((v) => v != null));
}

/**
 * A chart in its own titled section (a region named by the title): legend, drawing, the values as a
 * table for screen readers, a hover tooltip, "Download CSV", and the empty text when there is nothing.
 */
export function Chart(props: ChartProps) {
  const { title, description, kind, categories, series, csvHref } = props;
  const titleId = useId();
  const { ref, width: measured } = useElementSize();
  const width = measured > 0 ? measured : FALLBACK_WIDTH;
  const [hover, setHover] = useState<number | null>(null);
  const fmt = props.format ?? ((v: number) => defaultFormat(v));
  const label = props.categoryLabel ?? ((c: string) => c);
  const types = series.map((s) => (kind === 'hbar' ? 'bar' : (s.type ?? kind)));
  const drawn: Drawn[] = series.map((s, i) => ({
    series: s,
    color: cssColor(s.color ?? PALETTE[i % PALETTE.length]!),
    type: types[i]!,
    dashed: types[i] === 'line' && types.indexOf('line') < i,
  }));
  const any = hasValues(props);
  const height = kind === 'hbar' ? rowLayout(width, props, drawn, label).height : (props.height ?? 240);
  const what = kind === 'hbar' ? 'Horizontal bar chart' : drawn.every((d) => d.type === 'line') ? 'Line chart' : drawn.some((d) => d.type === 'line') ? 'Bar and line chart' : props.stacked ? 'Stacked bar chart' : 'Bar chart';
  const summary =
    `${title}. ${what} of ${series.map((s) => s.label).join(', ')}` +
    (categories.length ? ` over ${categories.length} ${categories.length === 1 ? 'category' : 'categories'}, ${label(categories[0]!)} to ${label(categories[categories.length - 1]!)}.` : '.') +
    ' The values are in the table that follows.';
  const geometry: Geometry = { width, props, drawn, fmt, label, onHover: setHover };
  const cell = (s: ChartSeries, i: number) => {
    const v = s.values[i];
    return v == null ? '—' : fmt(v, { series: s, category: categories[i]!, index: i });
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={titleId} data-chart={title}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <div style={{ flex: '1 1 240px', minWidth: 0 }}>
            <Title order={2} size="h4" id={titleId}>
              {title}
            </Title>
            {description && (
              <Text size="sm" c="dimmed">
                {description}
              </Text>
            )}
          </div>
          {csvHref && (
            <Button component="a" href={csvHref} download variant="default" size="xs" style={{ flexShrink: 0 }} aria-label={`Download CSV: ${title}`}>
              Download CSV
            </Button>
          )}
        </Group>
        {!any ? (
          <Text c="dimmed" size="sm" ta="center" py="xl" data-empty>
            {props.empty ?? 'Nothing to show for these filters yet.'}
          </Text>
        ) : (
          <>
            {series.length > 1 && <Legend drawn={drawn} />}
            <Box ref={ref} pos="relative" style={{ width: '100%' }}>
              <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} style={{ display: 'block', overflow: 'visible', maxWidth: '100%', height: 'auto' }}>
                {kind === 'hbar' ? <RowPlot {...geometry} /> : <ColumnPlot {...geometry} />}
              </svg>
              {hover != null && <Tooltip {...geometry} index={hover} />}
            </Box>
            <VisuallyHidden>
              <table>
                <caption>{title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{props.categoryAxisLabel ?? 'Category'}</th>
                    {series.map((s) => (
                      <th key={s.key} scope="col">
                        {s.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {categories.map((c, i) => (
                    <tr key={c}>
                      <th scope="row">{label(c)}</th>
                      {series.map((s) => (
                        <td key={s.key}>{cell(s, i)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </VisuallyHidden>
          </>
        )}
      </Stack>
    </Paper>
  );
}

/** The hovered category's values, beside the pointer's column or row (for the eye; the table is for readers). */
function Tooltip({ width, props, drawn, fmt, label, index }: Geometry & { index: number }) {
  const c = props.categories[index];
  if (c === undefined) return null;
  const n = props.categories.length;
  const style: CSSProperties =
    props.kind === 'hbar'
      ? (({ rowH, top, left }) => ({ top: top + (index + 1) * rowH, left: Math.min(left, 160) }))(rowLayout(width, props, drawn, label))
      : { top: 0, ...(index < n / 2 ? { left: ((index + 1) / n) * width * 0.95 } : { right: ((n - index) / n) * width * 0.95 }) };
  return (
    <Paper shadow="md" withBorder p="xs" radius="sm" aria-hidden style={{ position: 'absolute', pointerEvents: 'none', zIndex: 2, ...style }}>
      <Text size="xs" fw={600}>
        {label(c)}
      </Text>
      {drawn.map((d) => {
        const v = d.series.values[index];
        return (
          <Group key={d.series.key} gap={6} wrap="nowrap">
            <Box w={8} h={8} style={{ background: d.color, borderRadius: 2 }} />
            <Text size="xs">
              {d.series.label}: {v == null ? '—' : fmt(v, { series: d.series, category: c, index })}
            </Text>
          </Group>
        );
      })}
    </Paper>
  );
}
