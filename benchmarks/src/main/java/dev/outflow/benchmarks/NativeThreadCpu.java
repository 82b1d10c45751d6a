package dev.outflow.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * CPU time of every thread of a process as Linux reports it ({@code /proc/<pid>/task}), Java or not, so the CPU no
 * Java thread accounts for can be told apart: JIT compiler threads, garbage collector threads, RocksDB's flush and
 * compaction threads. Empty where there is no {@code /proc}.
 */
final class NativeThreadCpu {

    /** Linux reports thread CPU in clock ticks of 1/100 s ({@code USER_HZ}) on every mainstream architecture. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /** Linux keeps the first 15 bytes of a thread's name. */
    private static final int NAME_LENGTH = 15;

    private final Map<String, String> names;
    private final Map<String, Long> nanos;

    private NativeThreadCpu(Map<String, String> names, Map<String, Long> nanos) {
        this.names = names;
        this.nanos = nanos;
    }

    static NativeThreadCpu sample() {
        return sample("self");
    }

    /**
     * CPU time the JIT compiler threads of process {@code pid} have used so far (HotSpot names them {@code C1
     * CompilerThread0}, {@code C2 CompilerThread0}, ...); 0 where there is no {@code /proc}.
     */
    static long compilerNanos(long pid) {
        NativeThreadCpu threads = sample(String.valueOf(pid));
        long total = 0;
        for (Map.Entry<String, Long> thread : threads.nanos.entrySet()) {
            if (threads.names.get(thread.getKey()).matches("C\\d CompilerThre.*")) {
                total += thread.getValue();
            }
        }
        return total;
    }

    private static NativeThreadCpu sample(String process) {
        Map<String, String> names = new HashMap<>();
        Map<String, Long> nanos = new HashMap<>();
        Path tasks = Path.of("/proc", process, "task");
        if (!Files.isDirectory(tasks)) {
            return new NativeThreadCpu(names, nanos);
        }
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path thread : threads) {
                try {
                    long used = cpuNanos(thread.resolve("stat"));
                    String id = thread.getFileName().toString();
                    // only the newline goes: a name cut at 15 bytes may end in a space ("Source: kafka: ")
                    String comm = Files.readString(thread.resolve("comm"));
                    names.put(id, comm.endsWith("\n") ? comm.substring(0, comm.length() - 1) : comm);
                    nanos.put(id, used);
                } catch (IOException | RuntimeException ended) {
                    // the thread ended while we looked: it has nothing left to count
                }
            }
        } catch (IOException unreadable) {
            return new NativeThreadCpu(Map.of(), Map.of());
        }
        return new NativeThreadCpu(names, nanos);
    }

    /**
     * User and system CPU time in a process's or a thread's {@code stat} file ({@code /proc/<pid>/stat},
     * {@code /proc/<pid>/task/<tid>/stat}).
     */
    static long cpuNanos(Path statFile) throws IOException {
        String stat = Files.readString(statFile);
        // fields after the name in parentheses (which may hold spaces): state is the 3rd, utime the 14th, stime the
        // 15th
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
    }

    /**
     * CPU used since {@code start} by threads whose name is not that of a Java thread ({@code javaThreadNames}),
     * grouped by name with numbers dropped.
     */
    Map<String, Long> nonJavaSince(NativeThreadCpu start, Set<String> javaThreadNames) {
        Set<String> javaNames = new java.util.HashSet<>();
        for (String name : javaThreadNames) {
            javaNames.add(name.length() > NAME_LENGTH ? name.substring(0, NAME_LENGTH) : name);
        }
        Map<String, Long> byGroup = new HashMap<>();
        nanos.forEach((id, used) -> {
            String name = names.get(id);
            if (!javaNames.contains(name)) {
                byGroup.merge(name.replaceAll("\\d+", "#"), used - start.nanos.getOrDefault(id, 0L), Long::sum);
            }
        });
        return byGroup;
    }
}
