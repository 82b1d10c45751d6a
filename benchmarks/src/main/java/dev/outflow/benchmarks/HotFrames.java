package dev.outflow.benchmarks;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@code jdk.ExecutionSample} events of a JFR recording and prints the hottest top frames, and the hottest
 * frames of Outflow's own code (the first {@code dev.outflow} frame of each sample).
 */
final class HotFrames {

    private HotFrames() {}

    static void print(Path recording, int limit, PrintWriter out) throws IOException {
        Map<String, Long> top = new HashMap<>();
        Map<String, Long> ours = new HashMap<>();
        long samples = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                RecordedStackTrace stack = event.getStackTrace();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample") || stack == null
                        || stack.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                top.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
                for (RecordedFrame frame : stack.getFrames()) {
                    if (frame.getMethod() != null && frame.getMethod().getType().getName().startsWith("dev.outflow")) {
                        ours.merge(name(frame), 1L, Long::sum);
                        break;
                    }
                }
            }
        }
        out.printf("jfr: %d execution samples in %s%n", samples, recording);
        print("hottest top frames", top, samples, limit, out);
        print("hottest Outflow frames (first dev.outflow frame of each sample)", ours, samples, limit, out);
    }

    private static void print(String title, Map<String, Long> counts, long samples, int limit, PrintWriter out) {
        out.println("  " + title + ":");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(entry -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n",
                        100.0 * entry.getValue() / Math.max(1, samples), entry.getKey()));
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod() == null ? "?" : frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
