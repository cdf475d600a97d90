// 每周统计: bars of points per week and a line of members with points; data from a json_script element.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  document.querySelectorAll("[data-weekly-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.weeklyChart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var many = data.labels.length > 12;
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 8, right: 8, top: 32, bottom: many ? 40 : 8, containLabel: true },
      legend: { top: 0, data: ["积分合计", "得分人数"] },
      tooltip: { trigger: "axis" },
      dataZoom: many ? [{ type: "slider", height: 16, bottom: 4, startValue: data.labels.length - 12, endValue: data.labels.length - 1 }, { type: "inside" }] : [],
      xAxis: { type: "category", data: data.labels },
      yAxis: [{ type: "value", name: "积分" }, { type: "value", name: "人数", splitLine: { show: false } }],
      series: [
        { name: "积分合计", type: "bar", data: data.points, barMaxWidth: 32, itemStyle: { color: "#c8161d" } },
        { name: "得分人数", type: "line", yAxisIndex: 1, data: data.members, itemStyle: { color: "#f2a33a" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
