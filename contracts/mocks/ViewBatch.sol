// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title ViewBatch
/// @notice Test-only: answers many view calls in one `eth_call`. Property tests read
///         every holder's state after every step, and each `eth_call` on the embedded
///         chain carries ~10 ms of fixed cost, so one call instead of a dozen.
contract ViewBatch {
    /// @notice The view at `index` reverted with `reason`.
    error ViewFailed(uint256 index, bytes reason);

    function read(address[] calldata targets, bytes[] calldata data)
        external
        view
        returns (bytes[] memory results)
    {
        results = new bytes[](data.length);
        for (uint256 i; i < data.length; ++i) {
            (bool ok, bytes memory answer) = targets[i].staticcall(data[i]);
            if (!ok) revert ViewFailed(i, answer);
            results[i] = answer;
        }
    }
}
