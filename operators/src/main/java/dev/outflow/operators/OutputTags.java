package dev.outflow.operators;

import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryLogRecord;

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

    private OutputTags() {}
}
