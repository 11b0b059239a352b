/* Dixian key counties: the nation's map (provinces coloured by their key counties) and a
   province's chart of its key counties, drawn with the statistics pages' vendored ECharts.
   The data come from the page (json_script "key-county-data"); nothing is fetched except the
   vendored provinces GeoJSON, from this server. A click opens the province or the county. */
(function () {
  "use strict";
  var source = document.getElementById("key-county-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var tip = {renderMode: "richText", confine: true};
  var charts = [];

  function open(p) { if (p.data && p.data.url) { window.location = p.data.url; } }

  var mapNode = document.getElementById("key-county-map");
  if (mapNode && data.provinces) {
    var map = echarts.init(mapNode, null, {renderer: "canvas"});
    charts.push(map);
    fetch(mapNode.getAttribute("data-geojson"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        geo.features.forEach(function (f) { f.properties.code = String(f.id).slice(0, 2); });
        echarts.registerMap("dixian-provinces", geo);
        var byCode = {};
        data.provinces.forEach(function (p) { byCode[p.code] = p; });
        var most = Math.max.apply(null, data.provinces.map(function (p) {
          return p.national + p.provincial; }).concat([1]));
        map.setOption({
          animation: false,
          tooltip: Object.assign({}, tip, {trigger: "item", formatter: function (p) {
            var r = byCode[p.name];
            return r ? r.name + ": " + r.national + " / " + r.provincial : "";
          }}),
          visualMap: {min: 0, max: most, left: 8, bottom: 8, calculable: true,
                      inRange: {color: ["#f4f6f8", "#b3261e"]}},
          series: [{type: "map", map: "dixian-provinces", nameProperty: "code", roam: false,
                    emphasis: {label: {show: false}},
                    data: data.provinces.map(function (p) {
                      return {name: p.code, value: p.national + p.provincial, url: p.url};
                    })}]
        });
        map.on("click", open);
        mapNode.setAttribute("data-map-ready", "1");
      });
  }

  var chartNode = document.getElementById("key-county-chart");
  if (chartNode && data.counties) {
    var chart = echarts.init(chartNode, null, {renderer: "canvas"});
    charts.push(chart);
    var rows = data.counties.slice().sort(function (a, b) {
      return (a.income || 0) - (b.income || 0); });
    chart.setOption({
      animation: false,
      tooltip: Object.assign({}, tip, {trigger: "item"}),
      grid: {left: 120, right: 40, top: 10, bottom: 24},
      xAxis: {type: "value"},
      yAxis: {type: "category", data: rows.map(function (r) { return r.name; })},
      series: [{type: "bar", data: rows.map(function (r) {
        return {value: r.income, url: r.url}; }), itemStyle: {color: "#0b57d0"}}]
    });
    chart.on("click", open);
    chartNode.setAttribute("data-rendered", "1");
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
