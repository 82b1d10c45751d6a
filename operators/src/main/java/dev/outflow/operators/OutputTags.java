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

    /** (event, destination) pairs that routing rules kept from a destination, with the rule. */
    public static final OutputTag<DeliveryLogRecord> FILTERED =
            new OutputTag<>("filtered", TypeInformation.of(DeliveryLogRecord.class));

    private OutputTags() {}
}
