package dev.outflow.operators.batching;

/**
 * What the batcher knows about the batch it is filling, so a flush decision needs no read of the buffer. Kept on the
 * heap only: the state holds the events and the deadline, from which the batcher rebuilds it after a restore.
 *
 * @param count events buffered
 * @param bytes payload bytes buffered
 * @param deadline processing time at which the batch goes out regardless (its timer)
 */
public record BatchProgress(int count, long bytes, long deadline) {}
