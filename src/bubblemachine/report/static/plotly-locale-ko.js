/* Korean locale for plotly.js: menu texts, month and day names.
 * Adapted from plotly.js's own locale file "ko.js" (MIT License, Copyright (c) 2016-2024
 * Plotly Technologies Inc.; see NOTICE.md). Registered when the page loads. */
(function () {
  if (typeof Plotly === "undefined") { return; }
  Plotly.register({
    moduleType: "locale",
    name: "ko",
    dictionary: {
      "Autoscale": "자동 크기 조정",
      "Box Select": "박스 선택",
      "Compare data on hover": "마우스를 올리면 데이터를 비교합니다",
      "Double-click on legend to isolate one trace": "범례를 두 번 누르면 한 계열만 봅니다",
      "Double-click to zoom back out": "두 번 누르면 원래 크기로 돌아갑니다",
      "Download plot as a PNG": "차트를 PNG로 내려받기",
      "Download plot": "차트 내려받기",
      "Lasso Select": "올가미 선택",
      "Pan": "이동",
      "Produced with Plotly.js": "Plotly.js로 만들었습니다",
      "Reset": "초기화",
      "Reset axes": "축 초기화",
      "Show closest data on hover": "마우스를 올리면 가장 가까운 데이터를 보여 줍니다",
      "Toggle Spike Lines": "보조선 켜기/끄기",
      "Toggle show closest data on hover": "가장 가까운 데이터 보기 켜기/끄기",
      "Zoom": "확대",
      "Zoom in": "확대",
      "Zoom out": "축소",
      "close": "종가",
      "high": "고가",
      "low": "저가",
      "max": "최댓값",
      "mean ± σ": "평균 ± σ",
      "mean": "평균",
      "median": "중앙값",
      "min": "최솟값",
      "open": "시가",
      "q1": "1사분위수",
      "q3": "3사분위수"
    },
    format: {
      days: ["일요일", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일"],
      shortDays: ["일", "월", "화", "수", "목", "금", "토"],
      months: ["1월", "2월", "3월", "4월", "5월", "6월", "7월", "8월", "9월", "10월", "11월", "12월"],
      shortMonths: ["1월", "2월", "3월", "4월", "5월", "6월", "7월", "8월", "9월", "10월", "11월", "12월"],
      date: "%Y-%m-%d"
    }
  });
})();
