// 月积分 bar chart: totals by committee, lagging ones in grey.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("score-chart");
  var source = document.getElementById("score-data");
  if (!window.echarts || !el || !source) return;
  var data = JSON.parse(source.textContent);
  var many = data.labels.length > 12;
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 8, right: 16, top: 24, bottom: many ? 40 : 8, containLabel: true },
    tooltip: { trigger: "axis" },
    dataZoom: many ? [{ type: "slider", height: 16, bottom: 4, startValue: 0, endValue: 11 }, { type: "inside" }] : [],
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 4 ? 30 : 0, width: 90, overflow: "truncate" } },
    yAxis: { type: "value", max: 100 },
    series: [{
      name: "总分", type: "bar", data: data.totals, barMaxWidth: 40,
      itemStyle: { color: function (p) { return data.lagging[p.dataIndex] ? "#8c8c8c" : "#c8161d"; } },
      label: { show: !many, position: "top" }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
