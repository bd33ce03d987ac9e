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

  function seriesOf(spec, rows, names) {
    return spec.series.map(function (key) {
      return {
        type: spec.type, name: names[key] || key, stack: spec.stack ? "total" : undefined,
        showSymbol: false, data: rows.map(function (r) { return r[key] === null ? "-" : r[key]; })
      };
    });
  }

  // Many bars: categories go down the side, one line each, so long names never overlap.
  var SIDEWAYS = 8;
  var BAR_ROW = 24;

  function sidewaysOption(spec, rows, names) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: {
        type: "category", inverse: true, data: rows.map(function (r) { return r[spec.x]; }),
        axisLabel: { interval: 0, width: 140, overflow: "truncate" }
      },
      series: seriesOf(spec, rows, names)
    };
  }

  function axisOption(spec, rows, names) {
    var zoom = spec.type === "line" && rows.length > 62;
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 24, right: 32, top: 36, bottom: zoom ? 56 : 8, containLabel: true },
      xAxis: {
        type: "category", data: rows.map(function (r) { return r[spec.x]; }),
        // Bars name every category (wrapped when long); a long daily line lets ECharts thin them.
        axisLabel: spec.type === "bar"
          ? { interval: 0, width: 72, overflow: "break", hideOverlap: true }
          : { hideOverlap: true }
      },
      yAxis: { type: "value" },
      dataZoom: zoom ? [
        { type: "inside" },
        { type: "slider", height: 18, bottom: 6, showDataShadow: false, brushSelect: false,
          labelFormatter: function (index) { return rows[index] ? rows[index][spec.x] : ""; } }
      ] : [],
      series: seriesOf(spec, rows, names)
    };
  }

  function optionFor(spec, rows, names) {
    if (spec.type === "pie") { return pieOption(spec, rows, names); }
    if (spec.type === "bar" && rows.length > SIDEWAYS) { return sidewaysOption(spec, rows, names); }
    return axisOption(spec, rows, names);
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
    if (spec.type === "bar" && entry.rows.length > SIDEWAYS) {
      el.style.height = (entry.rows.length * BAR_ROW + 60) + "px";
      el.dataset.layout = "sideways";
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(optionFor(spec, entry.rows, names));
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
