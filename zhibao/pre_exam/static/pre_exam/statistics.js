// Pre-examination statistics: draws the ECharts charts from the JSON the page carries
// (json_script, id "statistics-data"); every series name comes translated from the server,
// and every chart's numbers are also in a table on the page.
(() => {
  "use strict";

  const PALETTE = ["#0d6efd", "#20c997", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#0dcaf0", "#ffc107"];
  const GRID = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };

  const months = (d) => ({
    color: PALETTE,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: GRID,
    xAxis: { type: "category", data: d.labels },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } },
    ],
    series: [
      { name: d.names[0], type: "bar", data: d.submissions },
      { name: d.names[1], type: "bar", data: d.qualified },
      { name: d.names[2], type: "line", yAxisIndex: 1, data: d.qualification_rate, smooth: true, connectNulls: true,
        tooltip: { valueFormatter: (v) => (v == null ? "—" : `${v}%`) } },
    ],
  });

  const fields = (d) => ({
    color: PALETTE,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: GRID,
    xAxis: { type: "category", data: d.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: d.series.map((s) => ({ name: s.name, type: "bar", data: s.data })),
  });

  const cycle = (d) => {
    // The mean as a line across the histogram, at the bin it falls in; the median is in its label
    // (the two are usually in the same bin, and two lines there would hide each other).
    const bin = d.mean == null ? null : d.labels[Math.min(Math.floor(d.mean / d.bin_days), d.labels.length - 1)];
    const marks = bin == null ? [] : [{ xAxis: bin, label: { formatter: `${d.mean_label} ${d.mean} · ${d.median_label} ${d.median}` } }];
    return {
      color: ["#198754"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { ...GRID, top: 28, bottom: 24 },
      xAxis: { type: "category", data: d.labels, name: d.axis, nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: d.name, type: "bar", data: d.counts, barCategoryGap: "10%",
                 markLine: { symbol: "none", lineStyle: { color: "#dc3545", type: "dashed" }, data: marks } }],
    };
  };

  const leagues = (d) => ({
    color: PALETTE,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: GRID,
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: d.labels.slice().reverse() },
    series: [
      { name: d.names[0], type: "bar", data: d.submissions.slice().reverse() },
      { name: d.names[1], type: "bar", data: d.granted.slice().reverse() },
    ],
  });

  const quota = (d) => ({
    color: ["#0dcaf0", "#0d6efd", "#dee2e6"],
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { ...GRID, top: 30 },
    xAxis: { type: "category", data: d.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: d.names[0], type: "bar", data: d.requests },
      { name: d.names[1], type: "bar", data: d.used },
      { name: d.names[2], type: "bar", data: d.quota },
    ],
  });

  const draw = () => {
    const source = document.getElementById("statistics-data");
    if (!source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const charts = [];
    const init = (id, option) => {
      const el = document.getElementById(id);
      if (!el) return;
      const chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      charts.push(chart);
    };
    init("chart-months", months(data.months));
    init("chart-fields", fields(data.fields));
    if (data.cycle.labels.length) init("chart-cycle", cycle(data.cycle));
    init("chart-leagues", leagues(data.leagues));
    init("chart-quota", quota(data.quota));
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
