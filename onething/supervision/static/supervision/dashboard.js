/* Draws the supervision dashboard's charts from the JSON block "supervision-charts".
   Each entry: {chart: {type: bar|line|pie, x, series[], stack}, columns[], rows[]}.
   No inline script, so a Content Security Policy with script-src 'self' suffices. */
(function () {
  "use strict";

  function labels(columns) {
    var out = {};
    columns.forEach(function (c) { out[c.key] = c.label; });
    return out;
  }

  function pieOption(spec, rows, names) {
    var key = spec.series[0];
    return {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie", radius: ["35%", "65%"], name: names[key] || key,
        data: rows.map(function (r) { return { name: r[spec.x], value: r[key] || 0 }; })
      }]
    };
  }

  function axisOption(spec, rows, names) {
    var many = rows.length > 8 && spec.type === "bar";
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 36, bottom: many ? 96 : 40 },
      xAxis: {
        type: "category", data: rows.map(function (r) { return r[spec.x]; }),
        axisLabel: { interval: 0, rotate: many ? 40 : 0, width: 90, overflow: "truncate" }
      },
      yAxis: { type: "value" },
      dataZoom: spec.type === "line" && rows.length > 62 ? [{ type: "inside" }, { type: "slider", height: 16, bottom: 0 }] : [],
      series: spec.series.map(function (key) {
        return {
          type: spec.type, name: names[key] || key, stack: spec.stack ? "total" : undefined,
          showSymbol: false, data: rows.map(function (r) { return r[key] === null ? "-" : r[key]; })
        };
      })
    };
  }

  function drillOnClick(chart, rows) {
    // Clicking a region's bar opens that region's dashboard (the same link as its table row).
    chart.on("click", function (params) {
      var row = rows[params.dataIndex];
      if (!row || !row.drill) { return; }
      var query = new URLSearchParams(window.location.search);
      query.set("region", row.code);
      window.location.search = query.toString();
    });
  }

  function draw(el, entry) {
    var spec = entry.chart, names = labels(entry.columns);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(spec.type === "pie" ? pieOption(spec, entry.rows, names) : axisOption(spec, entry.rows, names));
    if (el.dataset.chart === "by_region") { drillOnClick(chart, entry.rows); }
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.rendered = "1";
  }

  function start() {
    var block = document.getElementById("supervision-charts");
    if (!block || typeof echarts === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var entry = data[el.dataset.chart];
      if (entry) { draw(el, entry); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
