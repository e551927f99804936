// Revitalization statistics: draws every chart of the page from the JSON it carries
// (json_script "statistics-data"): {chart key: {labels, series: [{name, type, data, axis?}], horizontal?}}.
// Each chart's container is id "chart-<key>"; the numbers are also in tables on the page.
(() => {
  "use strict";

  const PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#198754", "#dc3545", "#0dcaf0", "#ffc107"];
  const GRID = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };

  const option = (d) => {
    const twoAxes = d.series.some((s) => s.axis === 1);
    const category = { type: "category", data: d.horizontal ? d.labels.slice().reverse() : d.labels };
    const values = { type: "value", minInterval: 1 };
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: GRID,
      xAxis: d.horizontal ? values : category,
      yAxis: d.horizontal ? category : (twoAxes ? [values, { type: "value", splitLine: { show: false } }] : values),
      series: d.series.map((s) => ({
        name: s.name, type: s.type || "bar", smooth: s.type === "line",
        yAxisIndex: !d.horizontal && s.axis === 1 ? 1 : 0,
        data: d.horizontal ? s.data.slice().reverse() : s.data,
      })),
    };
  };

  const draw = () => {
    const source = document.getElementById("statistics-data");
    if (!source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const charts = [];
    Object.entries(data).forEach(([key, d]) => {
      const el = document.getElementById(`chart-${key}`);
      if (!el || !d.labels.length) return;
      const chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(d));
      charts.push(chart);
    });
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
