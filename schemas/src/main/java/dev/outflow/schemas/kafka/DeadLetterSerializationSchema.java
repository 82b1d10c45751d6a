package dev.outflow.schemas.kafka;

import dev.outflow.schemas.delivery.DeadLetter;

/** Dead letters as JSON, keyed by messageId (malformed input, which has none, by its Kafka address). */
public final class DeadLetterSerializationSchema extends JsonRecordSerializationSchema<DeadLetter> {

    public DeadLetterSerializationSchema(String topic) {
        super(topic);
    }

    @Override
    protected String key(DeadLetter letter) {
        return letter.messageId() != null
                ? letter.messageId()
                : letter.topic() + "/" + letter.partition() + "/" + letter.offset();
    }
}
