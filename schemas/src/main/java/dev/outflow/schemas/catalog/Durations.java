package dev.outflow.schemas.catalog;

/** Durations written the way the catalog takes them (500ms, 90s, 5m, 4h), for messages. */
public final class Durations {

    private Durations() {}

    /** The largest whole unit that represents {@code ms} exactly. */
    public static String describe(long ms) {
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms != 0 && ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
