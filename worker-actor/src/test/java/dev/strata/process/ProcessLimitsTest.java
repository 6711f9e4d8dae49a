package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.ProcessSettings;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsBlob;
import org.junit.jupiter.api.Test;

class ProcessLimitsTest {

    @Test
    void chipArgsAreBoundedByWhatTheMailboxHoldsBesidesHeaderAndErrorText() {
        ProcessSettings s = ProcessSettings.defaults();
        int limit = ProcessLimits.chipArgsBytes(s);
        assertEquals(s.mailboxSize() - Mailbox.HEADER_BYTES - Mailbox.ERROR_TEXT_BYTES, limit);
    }

    @Test
    void theSmallestMailboxStillCarriesSomeScalars() {
        ProcessSettings p = ProcessSettings.defaults();
        ProcessSettings smallest = new ProcessSettings(p.java(), p.jvmOptions(), p.startTimeout(), p.taskTimeout(),
                p.heartbeatInterval(), p.heartbeatTimeout(), ProcessSettings.MIN_MAILBOX_SIZE);
        TaskArgs args = new TaskArgs();
        for (int i = 0; i < 64; i++) {
            args.addScalar(i);
        }
        assertTrue(TaskArgsBlob.encodedSize(args.view()) <= ProcessLimits.chipArgsBytes(smallest));
    }

    @Test
    void withTheTagCheckOnABlobAtTheLimitStillFitsWithItsTags() {
        ProcessSettings p = ProcessSettings.defaults();
        ProcessSettings smallest = new ProcessSettings(p.java(), p.jvmOptions(), p.startTimeout(), p.taskTimeout(),
                p.heartbeatInterval(), p.heartbeatTimeout(), ProcessSettings.MIN_MAILBOX_SIZE);
        int limit = ProcessLimits.chipArgsBytes(smallest, true);
        int capacity = ProcessLimits.chipArgsBytes(smallest);
        assertTrue(limit < capacity);
        int tensors = (limit - TaskArgsBlob.HEADER_BYTES) / TaskArgsBlob.TENSOR_RECORD_BYTES; // the most a blob holds
        assertTrue(limit + Mailbox.tagBytes(tensors) <= capacity, limit + " + tags of " + tensors + " > " + capacity);
        assertEquals(capacity, ProcessLimits.chipArgsBytes(smallest, false));
    }
}
