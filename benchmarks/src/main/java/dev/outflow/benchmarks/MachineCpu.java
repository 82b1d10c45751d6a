package dev.outflow.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The whole machine's CPU time by kind ({@code /proc/stat}) and the Kafka broker's ({@code /proc/<pid>/stat}), so a
 * run can say how busy the cores were, how much of them the hypervisor gave to other machines (steal: time this
 * machine wanted and did not get, which no process's CPU time shows), and what the broker, a process of its own,
 * spent per event. Null where there is no {@code /proc}.
 *
 * @param busyTicks user, system, interrupt and nice time of all cores
 * @param stealTicks time the hypervisor ran something else while this machine had work
 * @param totalTicks every kind, idle included
 * @param brokerTicks the broker process's user and system time
 */
record MachineCpu(long busyTicks, long stealTicks, long totalTicks, long brokerTicks) {

    /** Linux reports CPU time in clock ticks of 1/100 s ({@code USER_HZ}) on every mainstream architecture. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    static MachineCpu sample(long brokerPid) {
        try {
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is counted in user)
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] ticks = Arrays.stream(cpu, 1, Math.min(cpu.length, 9)).mapToLong(Long::parseLong).toArray();
            long idle = ticks[3] + ticks[4];
            long steal = ticks.length > 7 ? ticks[7] : 0;
            long total = Arrays.stream(ticks).sum();
            return new MachineCpu(total - idle - steal, steal, total, processTicks(brokerPid));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** utime and stime, the 14th and 15th fields; the name (2nd) may hold spaces, so count from its closing ')'. */
    private static long processTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * {@code machine 91% busy, 2% stolen by the hypervisor; kafka broker 3.8 cpu_us/event} for the stretch from
     * {@code start} to this sample, {@code events} events long.
     */
    String describeSince(MachineCpu start, double events) {
        double total = Math.max(1, totalTicks - start.totalTicks);
        return String.format(java.util.Locale.ROOT, "machine %.0f%% busy, %.0f%% stolen by the hypervisor; "
                        + "kafka broker %.1f cpu_us/event", 100 * (busyTicks - start.busyTicks) / total,
                100 * (stealTicks - start.stealTicks) / total,
                (brokerTicks - start.brokerTicks) * NANOS_PER_TICK / 1000.0 / Math.max(1, events));
    }
}
