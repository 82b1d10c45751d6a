package dev.outflow.jobs.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets a process listens on, read from Linux's {@code /proc} (what {@code ss -ltnp} shows), so a test
 * can check that a cluster it started listens on the loopback interface only.
 */
public final class ListeningSockets {

    private static final String LISTEN = "0A";
    private static final Set<String> LOOPBACK_HEX = Set.of(
            "0100007F",                                   // 127.0.0.1
            "00000000000000000000000001000000",           // ::1
            "0000000000000000FFFF00000100007F");          // ::ffff:127.0.0.1

    private ListeningSockets() {}

    /** True where {@code /proc} can answer (Linux). */
    public static boolean supported() {
        return Files.isReadable(Path.of("/proc/net/tcp"));
    }

    /**
     * Listening sockets of process {@code pid} bound to anything but loopback, as {@code hexAddress:hexPort}
     * (for example {@code 00000000:1F90} is the wildcard address, port 8080). Empty when all of them are loopback.
     */
    public static List<String> nonLoopback(long pid) throws IOException {
        return listening(pid).stream()
                .filter(local -> !LOOPBACK_HEX.contains(local.substring(0, local.indexOf(':'))))
                .toList();
    }

    /** Every listening socket of process {@code pid}, as {@code hexAddress:hexPort}. */
    public static List<String> listening(long pid) throws IOException {
        Set<String> inodes = socketInodes(pid);
        List<String> listening = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] fields = line.trim().split("\\s+");
                if (fields[3].equals(LISTEN) && inodes.contains(fields[9])) {
                    listening.add(fields[1]);
                }
            }
        }
        return listening;
    }

    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // descriptors come and go while we read them
                }
            }
        }
        return inodes;
    }
}
