/* Dixian statistics: the charts of a dashboard, drawn with the vendored Apache ECharts.
   The data come from the page (json_script "dashboard-data"); nothing is fetched from
   elsewhere except the vendored provinces GeoJSON, from this server. */
(function () {
  "use strict";
  var select = document.querySelector("[data-autosubmit]");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  // Tooltips are drawn on the canvas ("richText"): ECharts' HTML tooltips carry inline style
  // attributes, which the Content-Security-Policy (style-src 'self') rightly refuses.
  var tip = {renderMode: "richText", confine: true};
  function tooltip(extra) { return Object.assign({}, tip, extra); }
  var palette = ["#b3261e", "#0b57d0", "#1e8e3e", "#e37400", "#6f42c1", "#5b6775"];

  function make(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    var chart = echarts.init(node, null, {renderer: "canvas"});
    charts.push(chart);
    node.setAttribute("data-rendered", "1");
    return chart;
  }

  function selectedMark() {
    return {symbol: "none", silent: true, lineStyle: {color: "#5b6775", type: "dashed"},
            label: {show: false}, data: [{xAxis: data.selected}]};
  }

  var trend = make("chart-trend");
  if (trend) {
    trend.setOption({
      animation: false, color: palette,
      tooltip: tooltip({trigger: "axis"}), legend: {top: 0},
      grid: {left: 56, right: 56, top: 36, bottom: 28},
      xAxis: {type: "category", data: data.periods},
      yAxis: [{type: "value", name: ""}, {type: "value", name: "", splitLine: {show: false}}],
      series: data.counts.map(function (s, i) {
        return i === 0
          ? {name: s.name, type: "line", data: s.data, symbolSize: 6, markLine: selectedMark()}
          : {name: s.name, type: "bar", yAxisIndex: 1, data: s.data, barMaxWidth: 14};
      })
    });
  }

  var rates = make("chart-rates");
  if (rates) {
    rates.setOption({
      animation: false, color: [palette[2], palette[1]],
      tooltip: tooltip({trigger: "axis",
                        valueFormatter: function (v) { return v == null ? "—" : v + "%"; }}),
      legend: {top: 0}, grid: {left: 48, right: 20, top: 36, bottom: 28},
      xAxis: {type: "category", data: data.periods},
      yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
      series: data.rates.map(function (s, i) {
        var out = {name: s.name, type: "line", data: s.data, symbolSize: 6, connectNulls: false};
        if (i === 0) { out.markLine = selectedMark(); }
        return out;
      })
    });
  }

  var ranking = make("chart-ranking");
  var chooser = document.getElementById("ranking-indicator");
  function drawRanking() {
    if (!ranking) { return; }
    var key = chooser ? chooser.value : "monitored";
    var spec = data.ranking_indicators.filter(function (i) { return i.key === key; })[0];
    var items = data.ranking.filter(function (r) { return r.values[key] !== null; })
      .sort(function (a, b) { return a.values[key] - b.values[key]; });
    var node = document.getElementById("chart-ranking");
    node.style.height = Math.max(160, 26 * items.length + 60) + "px";
    ranking.resize();
    ranking.setOption({
      animation: false, color: [palette[1]],
      tooltip: tooltip({trigger: "item", formatter: function (p) {
        return p.name + ": " + (spec.percent ? (p.value * 100).toFixed(1) + "%" : p.value);
      }}),
      grid: {left: 8, right: 56, top: 8, bottom: 24, containLabel: true},
      xAxis: {type: "value", axisLabel: {formatter: function (v) {
        return spec.percent ? Math.round(v * 100) + "%" : v;
      }}},
      yAxis: {type: "category", data: items.map(function (r) { return r.name; })},
      series: [{type: "bar", barMaxWidth: 18, data: items.map(function (r) {
        return {value: r.values[key], url: r.url};
      }), label: {show: true, position: "right", formatter: function (p) {
        return spec.percent ? (p.value * 100).toFixed(1) + "%" : p.value;
      }}}]
    }, true);
  }
  if (ranking) {
    drawRanking();
    if (chooser) { chooser.addEventListener("change", drawRanking); }
    ranking.on("click", function (p) { if (p.data && p.data.url) { window.location = p.data.url; } });
  }

  var mapNode = document.getElementById("chart-map");
  if (mapNode) {
    var map = make("chart-map");
    fetch(mapNode.getAttribute("data-geojson"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        geo.features.forEach(function (f) { f.properties.code = String(f.id).slice(0, 2); });
        echarts.registerMap("dixian-provinces", geo);
        var byCode = {};
        data.ranking.forEach(function (r) { byCode[r.code] = r; });
        var values = data.ranking.map(function (r) { return r.values.monitored || 0; });
        map.setOption({
          animation: false,
          tooltip: tooltip({trigger: "item", formatter: function (p) {
            var r = byCode[p.name];
            return r ? r.name + ": " + (r.values.monitored == null ? "—" : r.values.monitored) : "";
          }}),
          visualMap: {min: 0, max: Math.max(1, Math.max.apply(null, values.concat([0]))),
                      left: 8, bottom: 8, calculable: true,
                      inRange: {color: ["#fdecea", "#b3261e"]}},
          series: [{type: "map", map: "dixian-provinces", nameProperty: "code", roam: false,
                    emphasis: {label: {show: false}},
                    data: data.ranking.map(function (r) {
                      return {name: r.code, value: r.values.monitored, url: r.url};
                    })}]
        });
        map.on("click", function (p) { if (p.data && p.data.url) { window.location = p.data.url; } });
        mapNode.setAttribute("data-map-ready", "1");
      });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
