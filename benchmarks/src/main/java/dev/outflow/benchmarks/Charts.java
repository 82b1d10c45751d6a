package dev.outflow.benchmarks;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The deliverability report's PNG charts, drawn with XChart from a scenario's time series. */
final class Charts {

    private static final int POINTS = 120;

    private Charts() {}

    /** Share of each destination's events accepted so far, over time. */
    static Path deliverability(ScenarioResult result, Path dir) throws IOException {
        XYChart chart = chart(result.name() + ": deliverability over time", "% of events accepted by the endpoint");
        long end = lastTime(result.firstAcceptedAtMs());
        for (DestinationFigures destination : result.destinations()) {
            long[] times = result.firstAcceptedAtMs().get(destination.id());
            double[] x = new double[POINTS + 1];
            double[] y = new double[POINTS + 1];
            int index = 0;
            for (int point = 0; point <= POINTS; point++) {
                long at = end * point / POINTS;
                while (index < times.length && times[index] <= at) {
                    index++;
                }
                x[point] = at / 1000.0;
                y[point] = DestinationFigures.percent(index, destination.sent());
            }
            add(chart, destination, x, y);
        }
        return save(chart, dir.resolve(result.name() + "-deliverability.png"));
    }

    /** Accepted events per second for each destination, the healthy ones next to the failing one. */
    static Path throughput(ScenarioResult result, Path dir) throws IOException {
        XYChart chart = chart(result.name() + ": throughput per destination", "accepted events per second");
        long end = Math.max(1, lastTime(result.acceptedAtMs()));
        long bucket = Math.max(100, end / 60);
        int buckets = (int) (end / bucket) + 1;
        for (DestinationFigures destination : result.destinations()) {
            double[] counts = new double[buckets];
            for (long at : result.acceptedAtMs().get(destination.id())) {
                counts[(int) Math.max(0, Math.min(buckets - 1, at / bucket))]++;
            }
            double[] x = new double[buckets];
            double[] y = new double[buckets];
            for (int i = 0; i < buckets; i++) {
                x[i] = (i + 0.5) * bucket / 1000.0;
                y[i] = counts[i] * 1000.0 / bucket;
            }
            add(chart, destination, x, y);
        }
        return save(chart, dir.resolve(result.name() + "-throughput.png"));
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(900).height(480).title(title)
                .xAxisTitle("seconds since the first request").yAxisTitle(yTitle).build();
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setXAxisDecimalPattern("0.0");
        return chart;
    }

    private static void add(XYChart chart, DestinationFigures destination, double[] x, double[] y) {
        XYSeries series = chart.addSeries(destination.id() + " (" + destination.role() + ")", x, y);
        series.setMarker(SeriesMarkers.NONE);
    }

    private static long lastTime(Map<String, long[]> series) {
        long last = 1;
        for (long[] times : series.values()) {
            if (times.length > 0) {
                last = Math.max(last, times[times.length - 1]);
            }
        }
        return last;
    }

    private static Path save(XYChart chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
