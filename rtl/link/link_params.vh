// link_params.vh: the constants of the host link (docs/protocol.md). Included inside modules.
// Each includer (link_rx, link_tx, board_top) reads only the constants it needs (its own
// direction's; board_top the status frame's LinkVersion): UNUSEDPARAM is waived for exactly these
// shared declarations.
/* verilator lint_off UNUSEDPARAM */
localparam [7:0] LinkMagic        = 8'hF1;
localparam [7:0] LinkVersion      = 8'h04;
// host -> board
localparam [7:0] TypeTpsf         = 8'h01;
localparam [7:0] TypeStatusReq    = 8'h02;
localparam [7:0] TypeIrf          = 8'h03;
localparam [7:0] TypePhotonConfig = 8'h04;   // boards with the photon front end (§7)
localparam [7:0] TypeEvents       = 8'h05;
localparam [7:0] TypePhotonStatusReq = 8'h06;
// board -> host
localparam [7:0] TypeResult       = 8'h81;
localparam [7:0] TypeStatus       = 8'h82;
localparam [7:0] TypeAck          = 8'h83;
localparam [7:0] TypePhotonStatus = 8'h84;
localparam [7:0] TypePixel        = 8'h85;
localparam [7:0] TypeError        = 8'hE0;
// error codes (payload byte 0 of an error frame)
localparam [7:0] ErrCrc           = 8'h01;
localparam [7:0] ErrTruncated     = 8'h02;
localparam [7:0] ErrMagic         = 8'h03;
localparam [7:0] ErrType          = 8'h04;
localparam [7:0] ErrLength        = 8'h05;
localparam [7:0] ErrFraming       = 8'h06;
localparam [7:0] ErrBusy          = 8'h07;
localparam [7:0] ErrTooLong       = 8'h08;
localparam [7:0] ErrOrder         = 8'h09;
// payload lengths
localparam [7:0] LenResult        = 8'd19;
localparam [7:0] LenStatus        = 8'd24;
localparam [7:0] LenAck           = 8'd0;
localparam [7:0] LenPhotonStatus  = 8'd73;
localparam [7:0] LenPixel         = 8'd44;
// response kinds (link_rx -> link_tx)
localparam [1:0] RspError = 2'd0, RspStatus = 2'd1, RspAck = 2'd2, RspPhotonStatus = 2'd3;
localparam [7:0] LenError         = 8'd4;
/* verilator lint_on UNUSEDPARAM */
