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
 * @param brokerNanos the broker process's user and system time
 */
record MachineCpu(long busyTicks, long stealTicks, long totalTicks, long brokerNanos) {

    static MachineCpu sample(long brokerPid) {
        try {
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is counted in user)
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] ticks = Arrays.stream(cpu, 1, Math.min(cpu.length, 9)).mapToLong(Long::parseLong).toArray();
            long idle = ticks[3] + ticks[4];
            long steal = ticks.length > 7 ? ticks[7] : 0;
            long total = Arrays.stream(ticks).sum();
            return new MachineCpu(total - idle - steal, steal, total,
                    NativeThreadCpu.cpuNanos(Path.of("/proc", String.valueOf(brokerPid), "stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
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
                (brokerNanos - start.brokerNanos) / 1000.0 / Math.max(1, events));
    }
}
