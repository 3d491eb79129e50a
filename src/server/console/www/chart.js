// SPDX-License-Identifier: MIT
// restauth Console: the usage chart of a credential pair, drawn as SVG by hand (no library).
// usageChart(usage, key) returns a <figure>: the bar chart (role="img", named by its <title>
// and <desc>), a sentence with the total and the busiest day, and the daily numbers as a
// table behind a disclosure, so the chart has a full text alternative.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const DAY_MS = 86400000;
  // Geometry in viewBox units; the SVG scales to the width of its box.
  const W = 360;
  const H = 170;
  const PAD = { left: 46, right: 8, top: 10, bottom: 40 };
  const PLOT_W = W - PAD.left - PAD.right;
  const PLOT_H = H - PAD.top - PAD.bottom;

  const dayName = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const longDay = new Intl.DateTimeFormat(undefined,
    { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const count = new Intl.NumberFormat();
  const compact = new Intl.NumberFormat(undefined, { notation: 'compact' });

  function svg(name, attrs, text) {
    const el = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function html(name, text, cls) {
    const el = document.createElement(name);
    if (text !== undefined) el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  // The days of the series as Date objects (UTC midnight), from first_day "YYYY-MM-DD".
  function daysOf(usage) {
    const [y, m, d] = usage.first_day.split('-').map(Number);
    const first = Date.UTC(y, m - 1, d);
    return usage.days.map((_, i) => new Date(first + i * DAY_MS));
  }

  function iso(date) {
    return date.toISOString().slice(0, 10);
  }

  function calls(n) {
    return count.format(n) + (n === 1 ? ' call' : ' calls');
  }

  // A tick step of 1, 2 or 5 times a power of ten that gives at most about four steps up to
  // max, never below one call; the scale's top is the first multiple of it at or above max.
  function scale(max) {
    const rough = Math.max(max / 4, 1);
    const power = Math.pow(10, Math.floor(Math.log10(rough)));
    let step = power;
    for (const f of [1, 2, 5, 10]) {
      step = f * power;
      if (step >= rough) break;
    }
    const top = Math.max(step, Math.ceil(max / step) * step);
    const ticks = [];
    for (let v = 0; v <= top; v += step) ticks.push(v);
    return { top, ticks };
  }

  // The busiest day (the latest of equals) and the total.
  function summary(usage, days) {
    let best = -1;
    let total = 0;
    usage.days.forEach((n, i) => {
      total += n;
      if (n > 0 && (best < 0 || n >= usage.days[best])) best = i;
    });
    const span = dayName.format(days[0]) + ' to ' + dayName.format(days[days.length - 1]) + ' (UTC)';
    if (total === 0) return { total, text: 'No calls in the last 30 days, ' + span + '.' };
    return {
      total,
      text: calls(total) + ' in the last 30 days, ' + span + '. Busiest day: ' +
        longDay.format(days[best]) + ', with ' + calls(usage.days[best]) + '.',
    };
  }

  function axes(chart, sc, days) {
    const grid = svg('g', { class: 'axis y', 'aria-hidden': 'true' });
    for (const v of sc.ticks) {
      const y = PAD.top + PLOT_H - (v / sc.top) * PLOT_H;
      grid.appendChild(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y,
        class: v === 0 ? 'baseline' : 'gridline' }));
      grid.appendChild(svg('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end' },
        compact.format(v)));
    }
    grid.appendChild(svg('text', { class: 'title', x: 0, y: 0, 'text-anchor': 'middle',
      transform: `translate(11 ${PAD.top + PLOT_H / 2}) rotate(-90)` }, 'Calls'));
    chart.appendChild(grid);
    // Day labels every seven days, counted back from today so that today is always named.
    const xs = svg('g', { class: 'axis x', 'aria-hidden': 'true' });
    const slot = PLOT_W / days.length;
    for (let i = days.length - 1; i >= 0; i -= 7) {
      const x = PAD.left + slot * (i + 0.5);
      xs.appendChild(svg('line', { x1: x, x2: x, y1: PAD.top + PLOT_H, y2: PAD.top + PLOT_H + 4 }));
      xs.appendChild(svg('text', { x, y: PAD.top + PLOT_H + 16,
        'text-anchor': i === days.length - 1 ? 'end' : 'middle' },
      i === days.length - 1 ? 'Today' : dayName.format(days[i])));
    }
    xs.appendChild(svg('text', { class: 'title', x: PAD.left + PLOT_W / 2, y: H - 4,
      'text-anchor': 'middle' }, 'Day (UTC)'));
    chart.appendChild(xs);
  }

  function bars(chart, usage, sc, days) {
    const g = svg('g', { class: 'bars' });
    const slot = PLOT_W / days.length;
    usage.days.forEach((n, i) => {
      // A day with calls keeps at least one unit of height, so a single call stays visible.
      const h = n === 0 ? 0 : Math.max(1, (n / sc.top) * PLOT_H);
      const rect = svg('rect', { class: 'bar', x: PAD.left + slot * i + slot * 0.15,
        y: PAD.top + PLOT_H - h, width: slot * 0.7, height: h,
        'data-day': iso(days[i]), 'data-calls': n });
      rect.appendChild(svg('title', {}, longDay.format(days[i]) + ': ' + calls(n)));
      g.appendChild(rect);
    });
    chart.appendChild(g);
  }

  function table(usage, days, key) {
    const details = html('details', undefined, 'daily');
    details.appendChild(html('summary', 'Calls per day as a table'));
    const t = html('table');
    t.appendChild(html('caption', 'Calls per day of Customer ID ' + key + ', oldest first (UTC)'));
    const head = html('tr');
    for (const h of ['Day', 'Calls']) {
      const th = html('th', h);
      th.scope = 'col';
      head.appendChild(th);
    }
    t.appendChild(html('thead')).appendChild(head);
    const body = t.appendChild(html('tbody'));
    usage.days.forEach((n, i) => {
      const tr = body.appendChild(html('tr'));
      const th = tr.appendChild(html('th', longDay.format(days[i])));
      th.scope = 'row';
      tr.appendChild(html('td', count.format(n)));
    });
    details.appendChild(t);
    return details;
  }

  // The figure for one pair's usage ({days:[30], first_day, total}); key names it in the
  // accessible texts and makes its element ids unique on the page.
  function usageChart(usage, key) {
    const days = daysOf(usage);
    const sc = scale(Math.max(0, ...usage.days));
    const sum = summary(usage, days);
    const fig = html('figure', undefined, 'usage');
    const tid = 'usage-title-' + key;
    const did = 'usage-desc-' + key;
    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart',
      'aria-labelledby': tid + ' ' + did, preserveAspectRatio: 'xMidYMid meet' });
    chart.appendChild(svg('title', { id: tid }, 'Calls per day over the last 30 days'));
    chart.appendChild(svg('desc', { id: did }, 'Bar chart for Customer ID ' + key + '. ' + sum.text));
    axes(chart, sc, days);
    bars(chart, usage, sc, days);
    fig.appendChild(chart);
    fig.appendChild(html('figcaption', sum.text));
    fig.appendChild(table(usage, days, key));
    return fig;
  }

  window.RaChart = { usageChart, scale };
})();
