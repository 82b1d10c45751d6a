package dev.outflow.operators;

import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.ParkedBatch;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The job's side outputs. Each carries one concern; none is used for control flow. */
public final class OutputTags {

    /** Input or events that will not be delivered: malformed records, refused or failed deliveries. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /**
     * Delivery-log lines written by routing: (event, target) pairs that rules kept from a target, with the rule,
     * and pairs whose body could not be built (dead-lettered at routing).
     */
    public static final OutputTag<DeliveryLogRecord> FILTERED =
            new OutputTag<>("filtered", TypeInformation.of(DeliveryLogRecord.class));

    /**
     * Events to try again later (and batches the destination could not take yet), for the retry topic that feeds
     * them back to the batcher.
     */
    public static final OutputTag<ParkedBatch> RETRIES =
            new OutputTag<>("retries", TypeInformation.of(ParkedBatch.class));

    private OutputTags() {}
}
