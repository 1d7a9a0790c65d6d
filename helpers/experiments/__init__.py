"""What notebooks 06a–07b measure: the seed article's claims as experiments, on top of the core.

- ``text_tasks``: translation and three other jobs written as text (prompts, labels, LM batches);
- ``task_models``: the decoder-only GPT and the encoder–decoder trained on those tasks, scored the same way;
- ``unpaired``: pre-training on unpaired sentences, then fine-tuning on K pairs (the sweep of 06b);
- ``inference_cost``: serving a conversation with and without a KV cache, FLOPs counted (06c);
- ``faithfulness``: hallucination on out-of-distribution inputs (06c);
- ``claims``: the verdict rules and the verdict store that 06a/06b fill and 06c reads;
- ``scaling``: the model-size ladder, compute and the power-law fit (07a);
- ``finetune``: instruction fine-tuning of a pre-trained tiny GPT (07b);
- ``multimodal``: digits drawn as tokens, read and drawn by one decoder (07b).

Imported by notebooks 06–07, ``scripts/why_decoder_only.py`` and ``scripts/scaling_sweep.py``. These
modules import the core (models, data, training) and each other, never ``teaching`` or ``distributed``; the
core never imports them.
"""
