// frontend_params.vh: the photon front end's fixed formats (docs/architecture.md, "The photon
/* verilator lint_off UNUSEDPARAM */
// front end"; docs/numerics.md §10), `include`d by the modules of rtl/frontend/ and read by
// nothing else: the C++ twin's ref/frontend/events.hpp and frontend.hpp carry the same values.
localparam integer EvKindW   = 3;    // event word {kind, macro, micro}
localparam integer EvMacroW  = 32;
localparam integer EvMicroW  = 16;
localparam integer EvWidth   = EvKindW + EvMacroW + EvMicroW;   // 51
localparam [2:0]   EvPhoton    = 3'd0;
localparam [2:0]   EvLineStart = 3'd1;
localparam [2:0]   EvLineStop  = 3'd2;
localparam [2:0]   EvFrame     = 3'd3;
localparam [2:0]   EvTruncated = 3'd4;
localparam [2:0]   EvUnknown   = 3'd5;
localparam [2:0]   EvFlush     = 3'd6;
localparam integer MicroMulW   = 17;  // M = round(2^16 · unit / 90 ps)
localparam integer DitherW     = 8;
localparam integer WindowFrac  = 24;  // 16 + DitherW
localparam integer WindowOffW  = 31;  // O = round(2^24 · window start / 90 ps)
localparam integer NBins       = 135;
localparam integer BinW        = 8;
localparam integer BaselineBins = 10;
localparam [15:0]  DitherSeed  = 16'hACE1;
localparam [15:0]  DitherTaps  = 16'hB400;
// tokens from the pixel assigner to the histogram
localparam [1:0]   TokPhoton = 2'd0;
localparam [1:0]   TokRow    = 2'd1;
localparam [1:0]   TokClose  = 2'd2;
// counters_o: 32 bits each, in this order (FrontendCounters::json in ref/frontend/frontend.hpp)
localparam integer CntEvents = 0, CntPhotons = 1, CntImaged = 2, CntOutsideLines = 3,
                   CntOutsideWindow = 4, CntLineOverflow = 5, CntBadLine = 6, CntPastImage = 7,
                   CntSaturated = 8, CntLinesImaged = 9, CntTooLong = 10, CntZeroDuration = 11,
                   CntStopBeforeStart = 12, CntTruncated = 13, CntUnknown = 14, CntFrames = 15,
                   CntRowsOut = 16, NumCounters = 17;
/* verilator lint_on UNUSEDPARAM */
