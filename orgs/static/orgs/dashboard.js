// 工作台 charts: data comes from the json_script block rendered by the server.
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var red = ["#c8161d", "#f2a33a", "#5470c6", "#91cc75", "#73c0de", "#9a60b4", "#ea7ccc", "#3ba272"];
  var charts = [];
  function make(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }
  function bar(labels, values, color) {
    return {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 5 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: values, barMaxWidth: 48, itemStyle: { color: color }, label: { show: true, position: "top" } }]
    };
  }
  make("chart-category", {
    color: red,
    tooltip: { trigger: "item", formatter: "{b}：{c}人（{d}%）" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["40%", "70%"], data: data.category, label: { formatter: "{b}\n{c}" } }]
  });
  make("chart-kinds", bar(data.kinds.labels, data.kinds.values, "#c8161d"));
  make("chart-warnings", bar(data.warnings.labels, data.warnings.values, "#f2a33a"));
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
