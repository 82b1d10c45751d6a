package dev.outflow.schemas.kafka;

import dev.outflow.schemas.delivery.DeliveryLogRecord;

/** Delivery-log records as JSON, keyed by messageId. */
public final class DeliveryLogSerializationSchema extends JsonRecordSerializationSchema<DeliveryLogRecord> {

    public DeliveryLogSerializationSchema(String topic) {
        super(topic);
    }

    @Override
    protected String key(DeliveryLogRecord record) {
        return record.messageId();
    }
}
