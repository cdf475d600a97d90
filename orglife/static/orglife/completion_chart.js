// 完成情况 bar charts: every element with data-completion-chart names the json_script holding its data.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  document.querySelectorAll("[data-completion-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.completionChart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var many = data.labels.length > 12;
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 8, right: 16, top: 24, bottom: many ? 40 : 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var i = items[0].dataIndex;
          return data.labels[i] + "<br>完成率 " + data.rates[i] + "%（" + data.credited[i] + "/" + data.required[i] + "）";
        }
      },
      dataZoom: many ? [{ type: "slider", height: 16, bottom: 4, startValue: 0, endValue: 11 }, { type: "inside" }] : [],
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 4 ? 30 : 0, width: 90, overflow: "truncate" } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{
        type: "bar", data: data.rates, barMaxWidth: 40,
        itemStyle: { color: function (p) { return p.value >= 90 ? "#c8161d" : p.value >= 60 ? "#f2a33a" : "#8c8c8c"; } },
        label: { show: !many, position: "top", formatter: "{c}%" }
      }]
    });
    if (el.dataset.href) {
      chart.on("click", function (p) { window.location.href = el.dataset.href.replace("__id__", data.ids[p.dataIndex]); });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
