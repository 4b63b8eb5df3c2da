// Layout of skel.Ctl and skel.Block and the constants of package skel, for
// both core_amd64.s and core_arm64.s. Keep in sync with internal/skel:
// TestLayoutMatchesSkel parses this file and fails on any difference.

#define CTL_TAIL	0	// skel.OffTail
#define CTL_TAILHINT	8	// skel.OffTailHint
#define CTL_HEAD	128	// skel.OffHead
#define CTL_HEADHINT	144	// skel.OffHeadHint
#define BLK_CONSUMED	128	// skel.OffConsumed
#define BLK_STATE	256	// skel.OffState
#define CLOSED_BIT	63	// skel.Closed == 1<<CLOSED_BIT
#define SEALED_BIT	62	// skel.Sealed == 1<<SEALED_BIT
#define SLOTS_B	1024	// skel.B
#define PUBLISHED	1	// skel.Published
#define ALL_PUBLISHED	0x0101010101010101	// skel.AllPublished
