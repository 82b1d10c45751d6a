package dev.outflow.schemas.catalog;

/**
 * An invalid destination catalog. The message names the file, the destination and the field, and never holds a
 * secret value.
 */
public final class CatalogException extends RuntimeException {

    private final String file;
    private final String destination;
    private final String field;

    public CatalogException(String file, String destination, String field, String problem) {
        super(format(file, destination, field, problem));
        this.file = file;
        this.destination = destination;
        this.field = field;
    }

    private static String format(String file, String destination, String field, String problem) {
        StringBuilder message = new StringBuilder(file);
        if (destination != null) {
            message.append(": destination '").append(destination).append('\'');
        }
        if (field != null) {
            message.append(destination != null ? ", " : ": ").append("field '").append(field).append('\'');
        }
        return message.append(": ").append(problem).toString();
    }

    public String file() {
        return file;
    }

    /** The destination id (or its position when it has no id), or null for a file-level problem. */
    public String destination() {
        return destination;
    }

    public String field() {
        return field;
    }
}
